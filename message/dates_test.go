package message

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC, or "" for unreadable
	}{
		{"Wed, 11 Dec 2002 20:26:52 GMT", "2002-12-11T20:26:52Z"},         // the lecture's Received
		{"Wed, 11 Dec 2002 21:26:52 +0100", "2002-12-11T20:26:52Z"},       // the lecture's Date
		{"Thu, 12 Dec 2002 20:28:47 GMT", "2002-12-12T20:28:47Z"},         // RETR 22
		{"Tue, 14 May 2024 01:15:06 -0700 (PDT)", "2024-05-14T08:15:06Z"}, // Gmail's comment
		{"Mon,  2 Dec 2024 09:00:05 +0000 (UTC)", "2024-12-02T09:00:05Z"}, // Postfix's double space
		{"14 May 2024 08:15:04 -0000", "2024-05-14T08:15:04Z"},            // qmail: no day of the week
		{"Tue, 14 May 2024 04:15:52 EDT", "2024-05-14T08:15:52Z"},         // RFC 5322 §4.3 zone names
		{"14 May 24 00:15:10 PST", "2024-05-14T08:15:10Z"},                // two-digit year
		{"5 Dec 99 12:00 UT", "1999-12-05T12:00:00Z"},                     // no seconds, 19xx
		{"Sat, 1 Jan 105 00:00:00 +0000", "2005-01-01T00:00:00Z"},         // three-digit year
		{"Tue, 14 May 2024 10:15:03 +0200 CEST", "2024-05-14T08:15:03Z"},  // a name after the number
		{"Tuesday, 14 May 2024 08:15:03 Z", "2024-05-14T08:15:03Z"},       // long day name
		{"Tue, 14 May 2024 08:15:03 A", "2024-05-14T08:15:03Z"},           // military: -0000
		{"Wed Dec 11 20:26:52 GMT 2002", "2002-12-11T20:26:52Z"},          // date(1)'s order
		{"2024-05-14T08:15:03+02:00", "2024-05-14T06:15:03Z"},             // RFC 3339
		{"Tue, 30 Jun 2015 23:59:60 +0000", "2015-06-30T23:59:59Z"},       // leap second
		{"Tue, 14 May 2024 08:15:03", ""},                                 // no zone: not comparable
		{"Tue, 14 May 2024 08:15:03 XYZ", ""},                             // unknown zone: no guess
		{"Tuesday, 14-May-24 08:15:20 GMT", ""},                           // RFC 850 form
		{"31 Feb 2024 08:00:00 +0000", ""},
		{"14 May 2024 25:00:00 +0000", ""},
		{"14 May 2024 08:15:03 +2400", ""},
		{"", ""},
		{"garbage", ""},
		// Out of range (DateInRange): zeroed clocks and far futures.
		{"0000 MAY 01 0:0 A", ""},
		{"Mon, 1 Jan 0001 00:00:00 +0000", ""},
		{"0001-01-01T00:00:00Z", ""},
		{"Wed, 31 Dec 1969 23:59:59 +0000", ""},
		{"1 Jan 69 00:00:00 +0000", ""}, // RFC 5322 §4.3: 1969
		{"Thu, 1 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z"},
		{"1 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00Z"},
		{"Fri, 31 Dec 9999 23:59:59 +0000", ""},
		{"1 Jan 899 00:00:00 +0000", ""}, // three digits: 2799
	} {
		got, ok := ParseDate(tc.in)
		s := ""
		if ok {
			s = got.UTC().Format(time.RFC3339)
		}
		if s != tc.want {
			t.Errorf("ParseDate(%q) = %q, want %q", tc.in, s, tc.want)
		}
	}
}

// TestDateInRangeFuture: a year ahead is the limit, counted from now.
func TestDateInRangeFuture(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{now, true},
		{now.AddDate(0, 6, 0), true},
		{now.Add(MaxDateAhead + time.Hour), false},
		{EarliestDate, true},
		{EarliestDate.Add(-time.Second), false},
	} {
		if got := DateInRange(tc.t); got != tc.want {
			t.Errorf("DateInRange(%v) = %v", tc.t, got)
		}
	}
	ahead := now.AddDate(2, 0, 0).UTC().Format(time.RFC1123Z)
	if _, ok := ParseDate(ahead); ok {
		t.Errorf("ParseDate(%q) accepted a date two years ahead", ahead)
	}
}
