package smtp

import (
	"bytes"
	"fmt"
	"log"
	"strings"
	"sync"
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// mailToData is a transaction up to DATA's 354, and toData the whole
// conversation from the greeting, for tests that then send a message
// text of their own.
const (
	mailToData = `
C: MAIL FROM:<bob@x.org>
S: 250 *
C: RCPT TO:<alice@localhost>
S: 250 *
C: DATA
S: 354 *
`
	toData = `
S: 220 *
C: HELO client
S: 250 *` + mailToData
)

// lockedBuffer is a server log that tests read while sessions write.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// smuggled is what follows the fake end of data in an SMTP smuggling
// attack (CVE-2023-51764): a second transaction that a server ending the
// data on the fake end would run.
const smuggled = "MAIL FROM:<evil@x.org>\r\nRCPT TO:<alice@localhost>\r\nDATA\r\nSubject: SMUGGLED\r\n\r\nx\r\n.\r\n"

// The end of DATA is <CRLF>.<CRLF> and nothing else (RFC 5321 §4.1.1.4):
// each fake end, sent with the smuggled transaction in one write, makes
// one message with a bare LF or CR in it, which is refused with a 550
// naming the line; nothing is delivered and the session goes on. With
// smuggle:lenient the old behaviour comes back: the fake end ends the
// data, and the smuggled message is delivered too.
func TestSMTPSmuggling(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		fakeEnd string
		reply   string // what the 550 names
		// lenient is how many messages smuggle:lenient delivers: two
		// where the old reader took the fake end for the end.
		lenient int
	}{
		{"LF.LF", "\n.\n", "bare LF on line 3 ", 2},
		{"LF.CRLF", "\n.\r\n", "bare LF on line 3 ", 2},
		{"CRLF.LF", "\r\n.\n", "bare LF on line 4 ", 2},
		{"CR.CR", "\r.\r", "bare CR on line 3 ", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			payload := "Subject: s\r\n\r\nfirst" + tc.fakeEnd + smuggled
			ts := startServer(t, nil)
			c := servertest.Dial(t, ts.Addrs[Service])
			c.EHLO()
			c.Converse(ts.Cert, mailToData)
			c.Send(payload)
			got := c.Line()
			if !strings.HasPrefix(got, "550 5.5.2 ") || !strings.Contains(got, tc.reply) {
				t.Fatalf("after the smuggling payload the server said %q, want 550 5.5.2 naming %q", got, tc.reply)
			}
			// The next reply is NOOP's: the smuggled commands got none.
			c.ExpectNoop()
			if n := servertest.CountNew(t, ts.Root, "alice"); n != 0 {
				t.Fatalf("%d messages delivered, want none", n)
			}
			// The session is still usable: a correct message goes through once.
			c.Converse(ts.Cert, mailToData+`C: Subject: good
C:
C: fine
C: .
S: 250 2.0.0 *
C: QUIT
S: 221 *
`)
			if n := servertest.CountNew(t, ts.Root, "alice"); n != 1 {
				t.Fatalf("%d messages delivered after a correct one, want 1", n)
			}
			if msg := servertest.ReadOnly(t, ts.Root, "alice"); strings.Contains(msg, "SMUGGLED") || !strings.Contains(msg, "\n\nfine\n") {
				t.Fatalf("delivered message is not the correct one:\n%s", msg)
			}
		})
		t.Run(tc.name+"/smuggle:lenient", func(t *testing.T) {
			t.Parallel()
			payload := "Subject: s\r\n\r\nfirst" + tc.fakeEnd + smuggled
			var logBuf lockedBuffer
			ts := startServer(t, func(cfg *loopback.Config) {
				f, err := loopback.ParseFaults([]string{"smuggle:lenient"}, faultDialects...)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Faults = f
				cfg.Log = log.New(&logBuf, "", 0)
			})
			c := servertest.Dial(t, ts.Addrs[Service])
			c.Converse(ts.Cert, toData)
			c.Send(payload)
			want := []string{"250 2.0.0 "}
			if tc.lenient == 2 {
				want = append(want, "250 ", "250 ", "354 ", "250 2.0.0 ")
			}
			for _, w := range want {
				if got := c.Line(); !strings.HasPrefix(got, w) {
					t.Fatalf("with smuggle:lenient the server said %q, want %q…", got, w)
				}
			}
			c.Converse(ts.Cert, `
C: QUIT
S: 221 *
`)
			if n := servertest.CountNew(t, ts.Root, "alice"); n != tc.lenient {
				t.Fatalf("with smuggle:lenient %d messages delivered, want %d", n, tc.lenient)
			}
			if l := logBuf.String(); !strings.Contains(l, `fault rule "smuggle:lenient"`) || !strings.Contains(l, "SMTP smuggling") {
				t.Errorf("the log does not say DATA was read leniently:\n%s", l)
			}
		})
	}
}

// BDAT cannot be smuggled through, but holds message text to CRLF as DATA
// does: a bare LF or CR in a chunk, or a CR ending the last one, refuses
// the message with 550; CRLF split across chunks, or a last line without
// CRLF, is fine.
func TestBDATBareNewline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		chunks []string // the last is sent with LAST
		reply  string   // the last reply's beginning
	}{
		{"bare LF", []string{"Subject: a\r\n\r\nx\ny\r\n"}, "550 5.5.2 Message refused: bare LF on line 3 "},
		{"bare CR", []string{"Subject: a\r\n\r\nx\ry\r\n"}, "550 5.5.2 Message refused: bare CR on line 3 "},
		{"bare CR at the end", []string{"Subject: a\r\n\r\nx\r"}, "550 5.5.2 Message refused: bare CR on line 3 "},
		{"bare LF in the second chunk", []string{"Subject: a\r\n", "\r\nx\ny\r\n"}, "550 5.5.2 Message refused: bare LF on line 3 "},
		{"CRLF across chunks", []string{"Subject: a\r", "\n\r\nx\r\n"}, "250 2.0.0 "},
		{"no final CRLF", []string{"Subject: a\r\n\r\nx"}, "250 2.0.0 "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, nil)
			c := servertest.Dial(t, ts.Addrs[Service])
			c.EHLO()
			c.Converse(ts.Cert, `
C: MAIL FROM:<bob@x.org>
S: 250 *
C: RCPT TO:<alice@localhost>
S: 250 *
`)
			var got string
			for i, ch := range tc.chunks {
				last := ""
				if i == len(tc.chunks)-1 {
					last = " LAST"
				}
				c.Send(fmt.Sprintf("BDAT %d%s\r\n%s", len(ch), last, ch))
				got = c.Line()
				if last == "" && !strings.HasPrefix(got, "250 ") {
					t.Fatalf("chunk %d: %q", i+1, got)
				}
			}
			if !strings.HasPrefix(got, tc.reply) {
				t.Fatalf("server said %q, want %q…", got, tc.reply)
			}
			want := 0
			if strings.HasPrefix(tc.reply, "250") {
				want = 1
			}
			c.ExpectNoop()
			if n := servertest.CountNew(t, ts.Root, "alice"); n != want {
				t.Fatalf("%d messages delivered, want %d", n, want)
			}
		})
	}
}

// A line too long for the server is skipped up to its CRLF, not up to a
// bare LF in it: otherwise the "." after the bare LF would pass for the
// end of the data, and the smuggled transaction would run.
func TestSMTPSmugglingPastLongLine(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(ts.Cert, toData)
	c.Send("Subject: s\r\n\r\n" + strings.Repeat("x", 70000) + "\n.\r\n" + smuggled)
	if got := c.Line(); !strings.HasPrefix(got, "500 5.5.2 Line too long") {
		t.Fatalf("after the long line the server said %q, want 500 5.5.2 Line too long", got)
	}
	c.ExpectNoop()
	if n := servertest.CountNew(t, ts.Root, "alice"); n != 0 {
		t.Fatalf("%d messages delivered, want none", n)
	}
}
