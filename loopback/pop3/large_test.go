package pop3

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// largeServer starts a server that calls every maildrop with a directory
// large, and puts two messages in demo's, in directories older than a
// listing needs to be kept.
func largeServer(t *testing.T) *servertest.Server {
	ts := startServer(t, func(c *loopback.Config) { c.Store.LargeListing = 1 })
	servertest.Put(t, ts, "demo", "1000000000.M1P1.host,S=20,W=23", "Subject: x\n\nbody\n")
	servertest.Put(t, ts, "demo", "1000000001.M1P1.host,S=21,W=24", "Subject: y\n\nbody2\n")
	old := time.Now().Add(-time.Minute)
	for _, sub := range []string{"new", "cur"} {
		if err := os.Chtimes(filepath.Join(ts.Root, "demo", sub), old, old); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// A large maildrop's login is answered before it is listed; the next
// command waits for the listing and sees every message. Once a listing
// is kept, a login gives the count again.
func TestPOP3LargeMaildrop(t *testing.T) {
	ts := largeServer(t)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: a large mailbox, STAT counts it; note *
C: STAT
S: +OK 2 47
C: RETR 2
S: +OK 24 octets
S: Subject: y
S: 
S: body2
S: .
C: QUIT
S: +OK *`)

	// The listing read after the first login is kept: this one counts.
	c = servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 2 messages (47 octets); note *
C: QUIT
S: +OK *`)
}

// Every command after the login waits for the listing, QUIT and
// pipelined commands too: DELE then QUIT deletes.
func TestPOP3LargeMaildropPipelined(t *testing.T) {
	ts := largeServer(t)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line() // greeting
	c.Send("USER demo\r\nPASS secret\r\nDELE 1\r\nQUIT\r\n")
	c.Converse(nil, `
S: +OK Send PASS for demo
S: +OK Logged in as demo: a large mailbox, STAT counts it; note *
S: +OK Message 1 deleted (at QUIT)
S: +OK localhost POP3 server signing off (1 messages deleted, 1 left)`)
	if n := servertest.MaildirFiles(t, ts.Root, "demo", "new"); len(n) != 1 {
		t.Errorf("new/ holds %v, want the second message alone", n)
	}
}

// A large maildrop that cannot be listed ends the session at the next
// command, with the reply a failed login has, and deletes nothing.
func TestPOP3LargeMaildropUnreadable(t *testing.T) {
	ts := largeServer(t)
	cur := filepath.Join(ts.Root, "demo", "cur")
	if err := os.Remove(cur); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cur, []byte("not a directory\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: a large mailbox, STAT counts it; note *
C: STAT
S: -ERR [SYS/TEMP] Cannot open the mailbox, try again later`)
	c.ExpectClosed()
	if n := servertest.MaildirFiles(t, ts.Root, "demo", "new"); len(n) != 2 {
		t.Errorf("new/ holds %v, want both messages", n)
	}
}
