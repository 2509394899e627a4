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
