package message

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a date as mail carries it, in Date and at the end of
// Received fields: RFC 5322 §3.3 ("Wed, 11 Dec 2002 20:26:52 +0100"), its
// obsolete forms (§4.3: no day of the week, two-digit years, zone names
// such as GMT, UT, EST, PDT, and military zones), a zone comment
// ("-0700 (PDT)"), ctime's order ("Wed Dec 11 20:26:52 2002"), a few more
// zone names seen in real mail (UTC, CET, CEST, BST, …) and RFC 3339 /
// ISO 8601 ("2002-12-11T20:26:52Z"). It never guesses a zone: an unknown
// zone name makes the date unreadable. So does a date outside the range
// of DateInRange: a year 0 or 0001 is a zeroed clock, not a time.
func ParseDate(s string) (time.Time, bool) {
	t, ok := parseDate(s)
	if !ok || !DateInRange(t) {
		return time.Time{}, false
	}
	return t, true
}

// EarliestDate is the earliest date ParseDate accepts: the Unix epoch.
// Internet mail is younger (RFC 733 dates from 1977), and a server whose
// clock reads earlier has lost it. RFC 5322 §4.3's two-digit years ("99"
// is 1999, "24" is 2024) and three-digit years (year + 1900) all land
// after it, except "50" to "69", which it rejects as well.
var EarliestDate = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// MaxDateAhead is how far in the future ParseDate accepts a date: a clock
// a year fast is broken, and the date is no use for measuring anything.
const MaxDateAhead = 366 * 24 * time.Hour

// DateInRange reports whether t is a date mail can carry: from
// EarliestDate to MaxDateAhead from now.
func DateInRange(t time.Time) bool {
	return !t.Before(EarliestDate) && !t.After(time.Now().Add(MaxDateAhead))
}

// DateOutOfRange reports whether s reads as a date that DateInRange
// rejects, so that a view can say why the date is unknown.
func DateOutOfRange(s string) bool {
	t, ok := parseDate(s)
	return ok && !DateInRange(t)
}

// parseDate reads a date as ParseDate does, whatever its year.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(stripComments(s))
	if len(s) > 200 || s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02 15:04:05Z07:00", s); err == nil {
		return t, true
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	var (
		day, month, year    = -1, -1, -1
		hh, mm, ss          = -1, -1, 0
		zone                = 0
		haveZone, yearShort bool
	)
	var numbers []string
	for _, f := range fields {
		switch {
		case strings.Contains(f, ":"):
			if hh >= 0 || !parseClock(f, &hh, &mm, &ss) {
				return time.Time{}, false
			}
		case isWeekday(f):
		case monthNumber(f) > 0 && month < 0:
			month = monthNumber(f)
		case (f[0] == '+' || f[0] == '-') && len(f) == 5 && allDigits(f[1:]):
			off, ok := numericZone(f)
			if !ok || haveZone {
				return time.Time{}, false
			}
			zone, haveZone = off, true
		case allDigits(f):
			numbers = append(numbers, f)
		case !haveZone:
			off, ok := namedZone(f)
			if !ok {
				return time.Time{}, false
			}
			zone, haveZone = off, true
		default:
			// A zone name after a numeric zone, without the parentheses
			// of a comment ("+0200 CEST"): the number rules.
			if _, ok := namedZone(f); !ok {
				return time.Time{}, false
			}
		}
	}
	// The two numbers are the day and the year, in that order, except in
	// ctime's order where a four-digit year may come last anyway.
	if len(numbers) != 2 || month < 0 || hh < 0 {
		return time.Time{}, false
	}
	d, y := numbers[0], numbers[1]
	if len(d) == 4 && len(y) <= 2 {
		d, y = y, d
	}
	day, _ = strconv.Atoi(d)
	year, _ = strconv.Atoi(y)
	switch len(y) {
	case 2:
		yearShort = true
	case 3, 4:
	default:
		return time.Time{}, false
	}
	if yearShort || len(y) == 3 {
		// RFC 5322 §4.3: a two-digit year under 50 is 20xx, else 19xx; a
		// three-digit year has 1900 added.
		switch {
		case len(y) == 3:
			year += 1900
		case year < 50:
			year += 2000
		default:
			year += 1900
		}
	}
	if day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if !haveZone {
		// RFC 5322 requires a zone; without one the time means nothing
		// that can be compared.
		return time.Time{}, false
	}
	if ss == 60 {
		ss = 59 // a leap second (RFC 5322 §3.3 allows 60)
	}
	t := time.Date(year, time.Month(month), day, hh, mm, ss, 0, time.FixedZone("", zone))
	if t.Day() != day {
		return time.Time{}, false // 31 Feb
	}
	return t, true
}

func parseClock(f string, hh, mm, ss *int) bool {
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	vals := make([]int, 3)
	for i, p := range parts {
		if p == "" || len(p) > 2 || !allDigits(p) {
			return false
		}
		vals[i], _ = strconv.Atoi(p)
	}
	*hh, *mm, *ss = vals[0], vals[1], vals[2]
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func isWeekday(f string) bool {
	f = strings.ToLower(strings.TrimSuffix(f, "."))
	for _, d := range weekdays {
		if f == d || (len(f) > 3 && strings.HasPrefix(f, d) && strings.HasSuffix(f, "day")) {
			return true
		}
	}
	return false
}

var months = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var monthsLong = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

func monthNumber(f string) int {
	f = strings.ToLower(strings.TrimSuffix(f, "."))
	for i := range months {
		if f == months[i] || f == monthsLong[i] || (f == "sept" && i == 8) {
			return i + 1
		}
	}
	return 0
}

// numericZone reads "+hhmm" / "-hhmm" (RFC 5322 §3.3).
func numericZone(f string) (int, bool) {
	h, _ := strconv.Atoi(f[1:3])
	m, _ := strconv.Atoi(f[3:5])
	if m > 59 || h > 23 {
		return 0, false
	}
	off := (h*60 + m) * 60
	if f[0] == '-' {
		off = -off
	}
	return off, true
}

// zoneNames are the obsolete zones of RFC 5322 §4.3 and a few others that
// real servers write. Ambiguous abbreviations (IST, CST in China) are left
// out, or read as RFC 5322 says.
var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"AKST": -9, "AKDT": -8, "HST": -10,
	"BST": 1, "CET": 1, "MET": 1, "WEST": 1, "CEST": 2, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
	"JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}

func namedZone(f string) (int, bool) {
	f = strings.ToUpper(strings.Trim(f, "()."))
	if h, ok := zoneNames[f]; ok {
		return h * 3600, true
	}
	// RFC 5322 §4.3: military zones other than Z carry no reliable
	// meaning and are to be taken as -0000.
	if len(f) == 1 && f[0] >= 'A' && f[0] <= 'Z' && f != "J" {
		return 0, true
	}
	return 0, false
}

// stripComments removes RFC 5322 comments ("(PDT)"), nested or not.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '(':
			depth++
			b.WriteByte(' ')
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}
