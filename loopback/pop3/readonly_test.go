package pop3

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// deliverTo puts messages in an account's new/ over SMTP.
func deliverTo(t *testing.T, ts *servertest.Server, account string, subjects ...string) {
	t.Helper()
	c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	c.Line()
	c.Send("HELO client\r\n")
	c.Line()
	for _, s := range subjects {
		c.Send("MAIL FROM:<bob@x.org>\r\nRCPT TO:<" + account + "@localhost>\r\nDATA\r\n")
		for i := 0; i < 3; i++ {
			c.Line()
		}
		c.Send("Subject: " + s + "\r\n\r\nbody\r\n.\r\n")
		if l := c.Line(); !strings.HasPrefix(l, "250 2.0.0 ") {
			t.Fatalf("delivering %q: %q", s, l)
		}
	}
	c.Send("QUIT\r\n")
	c.Line()
}

// readMaildropSession logs in as alice and reads both messages; it checks
// LIST and RETR against each other.
func readMaildropSession(t *testing.T, ts *servertest.Server) *servertest.Client {
	t.Helper()
	p := servertest.Dial(t, ts.Addrs[Service])
	p.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER alice
S: +OK Send PASS for alice
C: PASS wonderland
S: +OK Logged in as alice: 2 messages *
C: STAT
S: +OK 2 *
C: LIST
S: +OK *`)
	listing := string(readDotBody(p))
	for n, subject := range []string{"first", "second"} {
		p.Send(fmt.Sprintf("RETR %d\r\n", n+1))
		if l := p.Line(); !strings.HasPrefix(l, "+OK ") {
			t.Fatalf("RETR %d: %q", n+1, l)
		}
		body := string(readDotBody(p))
		if !strings.Contains(body, "\r\nSubject: "+subject+"\r\n") {
			t.Fatalf("RETR %d sent %q, want the message %q", n+1, body, subject)
		}
		if !strings.Contains(listing, fmt.Sprintf("%d %d\r\n", n+1, len(body))) {
			t.Fatalf("LIST %q does not give message %d's %d octets", listing, n+1, len(body))
		}
	}
	return p
}

// A Maildir that cannot be written can still be read over POP3 (the lock
// needs no write access), and DELE then QUIT says that nothing could be
// removed, and removes nothing.
func TestPOP3ReadOnlyMaildir(t *testing.T) {
	t.Parallel()
	if os.Getuid() == 0 {
		t.Skip("running as root, whom chmod does not stop from writing: no read-only Maildir can be made here; TestPOP3LockWithoutWriting covers the lock, run the tests as an ordinary user for the rest")
	}
	for _, tc := range []struct {
		name      string
		lockFirst bool // a session before the chmod left the lock file
	}{
		{"no lock file", false},
		{"lock file left by an earlier session", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, nil)
			deliverTo(t, ts, "alice", "first", "second")
			if tc.lockFirst {
				p := readMaildropSession(t, ts)
				p.Send("QUIT\r\n")
				p.Line()
			}
			dir := filepath.Join(ts.Root, "alice")
			subs := []string{dir, filepath.Join(dir, "new"), filepath.Join(dir, "cur"), filepath.Join(dir, "tmp")}
			for _, d := range subs {
				if err := os.Chmod(d, 0o555); err != nil {
					t.Fatal(err)
				}
			}
			t.Cleanup(func() {
				for _, d := range subs {
					os.Chmod(d, 0o700)
				}
			})
			p := readMaildropSession(t, ts)
			p.Converse(ts.Cert, `
C: DELE 1
S: +OK *
C: QUIT
S: -ERR [SYS/PERM] Some deleted messages not removed (1 of 1): the mailbox is read-only, and they are still in it`)
			p.ExpectClosed()
			if n := servertest.CountNew(t, ts.Root, "alice"); n != 2 {
				t.Fatalf("%d messages left in new/, want 2", n)
			}
			// The lock was released: the next session reads the same.
			p = readMaildropSession(t, ts)
			p.Send("QUIT\r\n")
			p.Line()
		})
	}
}

// The lock needs no write access: when the lock file cannot be opened for
// writing (here it is a directory, which stops root too), the session
// still logs in, and a second one still finds the maildrop in use.
func TestPOP3LockWithoutWriting(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	deliverTo(t, ts, "alice", "first", "second")
	if err := os.Mkdir(filepath.Join(ts.Root, "alice", lockFileName), 0o700); err != nil {
		t.Fatal(err)
	}
	p := readMaildropSession(t, ts)
	q := servertest.Dial(t, ts.Addrs[Service])
	q.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER alice
S: +OK Send PASS for alice
C: PASS wonderland
S: -ERR [IN-USE] *`)
	p.Send("QUIT\r\n")
	p.Line()
}
