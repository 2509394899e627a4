package message

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// hopWant is what a hop must say, worked out by hand from the field.
type hopWant struct {
	from, ip, by, with, tls, id string
	delay                       string // FormatDelay, or "?"
}

// TestChains reads the Received chains of the corpus, one per kind of
// server, and checks every hop and the totals against values worked out
// by hand (not by the code under test).
func TestChains(t *testing.T) {
	for _, tc := range []struct {
		file    string
		hops    []hopWant // bottom (hop 1) first
		total   string
		slowest int
	}{
		{"corpus/lecture-sendmail.eml", []hopWant{
			// Date 21:26:52 +0100 = 20:26:52Z; received 20:26:52 GMT.
			{"student.estg.iplei.pt", "127.0.0.1", "student.student.estg.ipleiria.pt", "ESMTP", "no", "gBBKQqNA026221", "0s"},
		}, "0s", 1},
		{"corpus/lecture-retr22.eml", []hopWant{
			// Date 20:13:17 GMT; received 20:28:47 GMT.
			{"batatas", "193.137.239.227", "mail.estg.iplei.pt", "SMTP", "no", "gBCKDHN4021921", "15m30s"},
		}, "15m30s", 1},
		{"corpus/lecture-antunes.eml", []hopWant{
			{"mail", "127.0.0.1", "mail.ipleiria.pt", "SMTP", "no", "gAD2K1Rv016861", "45s"},
		}, "45s", 1},
		{"received/postfix.txt", []hopWant{
			{"", "", "alice-laptop.example.org", "", "", "5C1F2180A2F", "0s"},
			{"[198.51.100.23]", "198.51.100.23", "mail.example.org", "ESMTPSA", "yes", "4VdvfJ6Wgbz1xqK", "1s"},
			{"mail.example.org", "192.0.2.10", "mx.example.net", "ESMTPS", "TLSv1.3", "4VdvfM1Dq4z9sT7", "5s"},
			{"mx.example.net", "127.0.0.1", "localhost", "ESMTP", "no", "7yTCa9hSxJpQ", "4s"},
			{"localhost", "127.0.0.1", "mx.example.net", "ESMTP", "no", "4VdvfN3y7Fz9sTB", "1s"},
			{"mx.example.net", "", "mbox.example.net", "LMTP", "no", "8Hq2LmJaQ2bUFwAAbzV2fw", "1s"},
		}, "12s", 3},
		{"received/exim.txt", []hopWant{
			{"dave", "", "laptop.example.com", "local", "", "1s6o5N-0001ab-2C", "1s"},
			{"[192.168.1.20]", "192.0.2.200", "smtp.example.com", "ESMTPSA", "TLSv1.3", "1s6o5O-00A1bC-0w", "1s"},
			{"smtp.example.com", "192.0.2.44", "eggs.example.org", "ESMTPS", "TLSv1.2", "1s6o5Q-0007Gx-T0", "2s"},
			{"Debian-exim", "", "eggs.example.org", "spam-scanned", "", "1s6o5R-0007Hq-Ib", "2s"},
			{"eggs.example.org", "2001:db8:142:3::10", "lists.example.org", "ESMTPS", "TLSv1.2", "1s6o5T-0003Wc-4f", "1s"},
			// 04:14:27 -0400 to 04:16:17 -0400: the list held it.
			{"lists.example.org", "::1", "lists.example.org", "ESMTP", "no", "1s6o7H-0003aB-Qm", "1m50s"},
			// 04:16:17 -0400 = 08:16:17Z; 09:16:20 +0100 = 08:16:20Z.
			{"lists.example.org", "203.0.113.17", "mx.example.net", "ESMTPS", "TLSv1.3", "1s6o7K-000Lm2-2v", "3s"},
		}, "2m0s", 6},
		{"received/exchange.txt", []hopWant{
			{"EXCH01.corp.example.com", "fe80::a639:b02c:5189:7140", "EXCH01.corp.example.com", "mapi", "", "15.20.7202.031", "1s"},
			{"EXCH01.corp.example.com", "10.20.30.41", "EXCH02.corp.example.com", "Microsoft SMTP Server", "TLSv1.2", "15.2.1544.4", "1s"},
			{"mail.example.com", "198.51.100.5", "BN2PEPF000044A8.mail.protection.outlook.com", "Microsoft SMTP Server", "TLSv1.2", "15.20.7587.21", "2s"},
			{"BN2PEPF000044A8.namprd04.prod.outlook.com", "2603:10b6:408:13a:cafe::6b", "BN9PR03CA0774.outlook.office365.com", "Microsoft SMTP Server", "TLSv1.2", "15.20.7587.27", "0s"},
			{"BN9PR03CA0774.namprd03.prod.outlook.com", "2603:10b6:408:13a::29", "PH7PR11MB6523.namprd11.prod.outlook.com", "Microsoft SMTP Server", "TLSv1.2", "15.20.7544.48", "1s"},
			{"PH7PR11MB6523.namprd11.prod.outlook.com", "2603:10b6:510:210::12", "SA1PR11MB8489.namprd11.prod.outlook.com", "HTTPS", "yes", "", "1s"},
		}, "6s", 3},
		{"received/gmail.txt", []hopWant{
			// Date 10:15:03 +0200 = 08:15:03Z; 01:15:05 -0700 (PDT) = 08:15:05Z.
			{"[192.168.1.7]", "203.0.113.9", "smtp.gmail.com", "ESMTPSA", "TLSv1.3", "a640c23a62f3a-a5a1781d3c2sm692347666b.11.2024.05.14.01.15.04", "2s"},
			{"mail-sor-f41.google.com", "209.85.220.41", "mx.google.com", "SMTPS", "yes", "a640c23a62f3a-a5a17b3e3e8sor2411234566b.9.2024.05.14.01.15.06", "1s"},
			{"", "", "2002:a05:7208:3186:b0:83:f1ad:5d2c", "SMTP", "no", "ev6csp1289367rbb", "1s"},
		}, "4s", 1},
		{"received/qmail.txt", []hopWant{
			{"", "", "", "", "", "", "1s"},
			{"mail.example.org", "192.0.2.25", "mx.example.net", "SMTP", "no", "", "4s"},
			{"", "", "", "", "", "", "0s"},
			{"", "", "", "", "", "", "1s"},
		}, "6s", 2},
		{"received/oddities.txt", []hopWant{
			{"sender.example.org", "", "older.example.org", "SMTP", "no", "77", "?"}, // no date at all
			{"older.example.org", "", "old.example.org", "SMTP", "no", "", "?"},      // previous unknown
			{"old.example.org", "", "gw.example.net", "SMTP", "no", "", "?"},         // "14-May-24": unreadable
			{"localhost", "", "gw.example.net", "ESMTPA", "no", "3f2a9b1c", "?"},
			// 01:15:40 -0700 = 08:15:40Z, 5 s before OpenSMTPD's 08:15:45Z.
			{"gw.example.net", "10.0.0.5", "relay.example.net", "ESMTP", "yes", "", "-5s"},
			{"relay.example.net", "192.0.2.80", "final.example.com", "ESMTPS", "TLSv1.3", "44E8Fx0a012345", "12s"},
		}, "1m52s", 6},
	} {
		t.Run(tc.file, func(t *testing.T) {
			c, err := ReadChain(open(t, "testdata/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Hops) != len(tc.hops) {
				t.Fatalf("%d hops, want %d", len(c.Hops), len(tc.hops))
			}
			for i, w := range tc.hops {
				h := c.Hops[i]
				delay := "?"
				if h.DelayOK {
					delay = FormatDelay(h.Delay)
				}
				got := hopWant{h.From, h.IP, h.By, h.Protocol, h.TLS, h.ID, delay}
				if got != w || h.N != i+1 {
					t.Errorf("hop %d (N=%d):\n got  %+v\n want %+v", i+1, h.N, got, w)
				}
			}
			if !c.TotalOK || FormatDelay(c.Total) != tc.total {
				t.Errorf("total %v (ok %v), want %s", FormatDelay(c.Total), c.TotalOK, tc.total)
			}
			if c.Slowest == nil || c.Slowest.N != tc.slowest {
				t.Errorf("slowest %+v, want hop %d", c.Slowest, tc.slowest)
			}
		})
	}
}

// TestParseReceivedDetails: what the table does not show.
func TestParseReceivedDetails(t *testing.T) {
	h := ParseReceived("from mail.example.org (mail.example.org [192.0.2.10]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx.example.net (Postfix) with ESMTPS id 4V for <bob@example.net>; Tue, 14 May 2024 10:15:03 +0200 (CEST)")
	if h.FromRDNS != "mail.example.org" || h.Cipher != "TLS_AES_256_GCM_SHA384" || h.ByInfo != "Postfix" || h.For != "<bob@example.net>" {
		t.Errorf("%+v", h)
	}
	h = ParseReceived("from a (b [192.0.2.1]) by c with Microsoft SMTP Server id 15.2 via Frontend Transport; Tue, 14 May 2024 08:15:10 +0000")
	if h.Via != "Frontend Transport" || h.ID != "15.2" || h.With != "Microsoft SMTP Server" {
		t.Errorf("%+v", h)
	}
	h = ParseReceived("from x ([IPv6:2001:db8::1]) by y with ESMTP; Tue, 14 May 2024 08:15:10 +0000")
	if h.IP != "2001:db8::1" {
		t.Errorf("IPv6 literal: %q", h.IP)
	}
	h = ParseReceived("")
	if h.TimeOK || h.From != "" || h.Short() != "?" {
		t.Errorf("empty: %+v", h)
	}
}

// TestLongChain: a looping message with 10,000 Received fields prints a
// bounded table, says it looped, and takes no time worth measuring.
func TestLongChain(t *testing.T) {
	var b strings.Builder
	start := time.Date(2024, 5, 14, 8, 0, 0, 0, time.UTC)
	for i := 9999; i >= 0; i-- {
		fmt.Fprintf(&b, "Received: from h%d.example.org by h%d.example.org with ESMTP id %d; %s\r\n", i, i+1, i, start.Add(time.Duration(i)*time.Second).Format(time.RFC1123Z))
	}
	b.WriteString("Date: " + start.Format(time.RFC1123Z) + "\r\n\r\nloop\r\n")
	c, err := ReadChain(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Hops) != 10000 || FormatDelay(c.Total) != "2h46m39s" {
		t.Fatalf("%d hops, total %s", len(c.Hops), FormatDelay(c.Total))
	}
	var out bytes.Buffer
	WriteHops(&out, c, Style{})
	if out.Len() > 40000 || !strings.Contains(out.String(), "(9900 hops not shown)") || !strings.Contains(out.String(), "RFC 5321 §6.3") {
		t.Fatalf("%d bytes:\n%s", out.Len(), out.String())
	}
}

func TestFormatDelay(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 45 * time.Second: "45s", 930 * time.Second: "15m30s", -5 * time.Second: "-5s",
		26 * time.Hour: "26h0m0s", 74 * time.Hour: "3d2h0m0s", 48 * time.Hour: "2d", 1500 * time.Millisecond: "2s",
	} {
		if got := FormatDelay(d); got != want {
			t.Errorf("FormatDelay(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestImplausibleDelays: a delay that cannot be real — counted from a
// date out of range, longer than MaxHopDelay, or negative beyond
// MaxClockSkew — shows as unknown, with a note; small clock skew still
// shows as it is.
func TestImplausibleDelays(t *testing.T) {
	t.Parallel()
	rcv := func(by, date string) string { return "from a.example.org by " + by + " with ESMTP; " + date }
	for _, tc := range []struct {
		name     string
		date     string
		received []string // newest first, as in a header
		delays   []string // hop 1 first; "?" for unknown
		total    string   // "?" for unknown
		notes    []string // in the view
	}{
		{
			name:     "Date in year 1",
			date:     "Mon, 1 Jan 0001 00:00:00 +0000",
			received: []string{rcv("mx.example.net", "Tue, 14 May 2024 08:15:03 +0000")},
			delays:   []string{"-"},
			total:    "?",
			notes:    []string{"total transit: ? (fewer than two readable times)"},
		},
		{
			name: "hop in year 0",
			date: "Tue, 14 May 2024 08:15:00 +0000",
			received: []string{
				rcv("c.example.net", "Tue, 14 May 2024 08:15:09 +0000"),
				rcv("b.example.net", "0000 MAY 01 0:0 A"),
				rcv("a.example.net", "Tue, 14 May 2024 08:15:01 +0000"),
			},
			delays: []string{"1s*", "?", "?"},
			total:  "9s",
			notes:  []string{`hop 2: date out of range (before 1970 or over a year ahead): "0000 MAY 01 0:0 A"`},
		},
		{
			name: "forty days and a clock three hours behind",
			date: "Tue, 14 May 2024 08:15:00 +0000",
			received: []string{
				rcv("d.example.net", "Sun, 23 Jun 2024 05:15:05 +0000"),
				rcv("c.example.net", "Sun, 23 Jun 2024 08:15:00 +0000"),
				rcv("b.example.net", "Tue, 14 May 2024 08:15:07 +0000"),
				rcv("a.example.net", "Tue, 14 May 2024 08:15:12 +0000"),
			},
			delays: []string{"12s*", "-5s", "?", "?"},
			total:  "?",
			notes: []string{
				"hop 3: delay unknown: 39d23h59m53s is longer than any server keeps a message (30d)",
				"hop 4: delay unknown: the clock runs 2h59m55s behind the previous one's",
				"total transit: ? (39d21h0m5s is longer than any server keeps a message (30d))",
				"-5s (negative: this server's clock is behind the previous one's)",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &Chain{SentText: tc.date}
			c.analyse(tc.received)
			var delays []string
			for _, h := range c.Hops {
				switch {
				case h.DelayOK && h.N == 1:
					delays = append(delays, FormatDelay(h.Delay)+"*")
				case h.DelayOK:
					delays = append(delays, FormatDelay(h.Delay))
				case h.N == 1 && h.TimeOK:
					delays = append(delays, "-")
				default:
					delays = append(delays, "?")
				}
			}
			if strings.Join(delays, " ") != strings.Join(tc.delays, " ") {
				t.Errorf("delays %q, want %q", delays, tc.delays)
			}
			total := "?"
			if c.TotalOK {
				total = FormatDelay(c.Total)
			}
			if total != tc.total {
				t.Errorf("total %s, want %s", total, tc.total)
			}
			var out bytes.Buffer
			if err := WriteHops(&out, c, Style{Width: 100}); err != nil {
				t.Fatal(err)
			}
			view := out.String()
			for _, n := range tc.notes {
				if !strings.Contains(view, n) {
					t.Errorf("view lacks %q:\n%s", n, view)
				}
			}
			if strings.Contains(view, "106751d") || strings.Contains(view, "2562047h") {
				t.Errorf("absurd delay in the view:\n%s", view)
			}
		})
	}
}
