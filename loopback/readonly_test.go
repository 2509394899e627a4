package loopback

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deliverTo puts messages in an account's new/ over SMTP.
func deliverTo(t *testing.T, ts *testServer, account string, subjects ...string) {
	t.Helper()
	c := dial(t, ts.Addrs[SMTP])
	c.line()
	c.send("HELO client\r\n")
	c.line()
	for _, s := range subjects {
		c.send("MAIL FROM:<bob@x.org>\r\nRCPT TO:<" + account + "@localhost>\r\nDATA\r\n")
		for i := 0; i < 3; i++ {
			c.line()
		}
		c.send("Subject: " + s + "\r\n\r\nbody\r\n.\r\n")
		if l := c.line(); !strings.HasPrefix(l, "250 2.0.0 ") {
			t.Fatalf("delivering %q: %q", s, l)
		}
	}
	c.send("QUIT\r\n")
	c.line()
}

// readMaildropSession logs in as alice and reads both messages; it checks
// LIST and RETR against each other.
func readMaildropSession(t *testing.T, ts *testServer) *client {
	t.Helper()
	p := dial(t, ts.Addrs[POP3])
	p.converse(ts.Cert, pop3Greeting+`
C: USER alice
S: +OK Send PASS for alice
C: PASS wonderland
S: +OK Logged in as alice: 2 messages *
C: STAT
S: +OK 2 *
C: LIST
S: +OK *`)
	listing := string(p.readDotBody())
	for n, subject := range []string{"first", "second"} {
		p.send(sprintf("RETR %d\r\n", n+1))
		if l := p.line(); !strings.HasPrefix(l, "+OK ") {
			t.Fatalf("RETR %d: %q", n+1, l)
		}
		body := string(p.readDotBody())
		if !strings.Contains(body, "\r\nSubject: "+subject+"\r\n") {
			t.Fatalf("RETR %d sent %q, want the message %q", n+1, body, subject)
		}
		if !strings.Contains(listing, sprintf("%d %d\r\n", n+1, len(body))) {
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
				p.send("QUIT\r\n")
				p.line()
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
			p.converse(ts.Cert, `
C: DELE 1
S: +OK *
C: QUIT
S: -ERR [SYS/PERM] Some deleted messages not removed (1 of 1): the mailbox is read-only, and they are still in it`)
			p.expectClosed()
			if n := countNew(t, ts.Root, "alice"); n != 2 {
				t.Fatalf("%d messages left in new/, want 2", n)
			}
			// The lock was released: the next session reads the same.
			p = readMaildropSession(t, ts)
			p.send("QUIT\r\n")
			p.line()
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
	q := dial(t, ts.Addrs[POP3])
	q.converse(ts.Cert, pop3Greeting+`
C: USER alice
S: +OK Send PASS for alice
C: PASS wonderland
S: -ERR [IN-USE] *`)
	p.send("QUIT\r\n")
	p.line()
}
