package smtp

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
)

// Hostile clients, over real sockets on 127.0.0.1: each test fails if the
// protection it names is taken away.

// NUL is never an octet of an address, and never echoed back raw: a NUL
// in a reply cuts the line short in C clients and terminals.
func TestHostileNULBytes(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line()
	c.Send("EHLO me\x00evil\r\n")
	if l := c.Line(); strings.ContainsRune(l, 0) || !strings.Contains(l, "Hello me?evil ") {
		t.Errorf("EHLO's reply %q: want the NUL shown as ?", l)
	}
	for l := c.Line(); strings.HasPrefix(l, "250-"); l = c.Line() {
	}
	c.Converse(nil, `
C: MAIL FROM:<a`+"\x00"+`b@x.example>
S: 501 5.1.7 Bad address: control characters are not allowed in an address
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo`+"\x00"+`@localhost>
S: 501 5.1.3 *`)

	p := servertest.Dial(t, ts.Addrs[pop3server.Service])
	p.Line()
	p.Send("USER demo\x00x\r\n")
	if l := p.Line(); strings.ContainsRune(l, 0) {
		t.Errorf("USER's reply has a raw NUL: %q", l)
	}
}

// 200,000 NOOPs in one burst, as fast as the socket takes them: every one
// is answered, in order, and the session goes on.
func TestHostilePipelinedNOOPs(t *testing.T) {
	t.Parallel()
	const n = 200000
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Conn.SetDeadline(time.Now().Add(2 * time.Minute))
	c.Line()
	go func() {
		w := bufio.NewWriterSize(c.Conn, 64<<10)
		for i := 0; i < n; i++ {
			w.WriteString("NOOP\r\n")
		}
		w.WriteString("QUIT\r\n")
		w.Flush()
	}()
	for i := 0; i < n; i++ {
		l, err := c.BR.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d replies: %v", i, err)
		}
		if l != "250 2.0.0 OK, nothing done\r\n" {
			t.Fatalf("reply %d is %q", i+1, l)
		}
	}
	if l := c.Line(); !strings.HasPrefix(l, "221 ") {
		t.Fatalf("QUIT's reply is %q", l)
	}
}

// A client that pipelines NOOPs and never reads a reply cannot hold its
// session, or make the server keep replies for it: once the sockets'
// buffers are full (a few megabytes of replies on loopback, 200,000 NOOPs
// or more), a reply that cannot be written within the idle time ends the
// session, and the client's writes fail.
func TestHostileClientNeverReads(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(c *loopback.Config) { c.Limits.Idle = 200 * time.Millisecond })
	nc, err := net.Dial("tcp", ts.Addrs[Service])
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// The writes block once the server stops reading; its ending the
	// session makes them fail. The bound is generous: under the race
	// detector on a busy machine the server takes seconds to work through
	// the NOOPs that fill the sockets' buffers. A small receive buffer
	// makes them fill sooner.
	nc.(*net.TCPConn).SetReadBuffer(4096)
	const bound = 60 * time.Second
	nc.SetWriteDeadline(time.Now().Add(bound))
	burst := []byte(strings.Repeat("NOOP\r\n", 10000))
	sent := 0
	for err == nil {
		_, err = nc.Write(burst)
		sent += 10000
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server still holds a client that never reads after %s and %d NOOPs", bound, sent)
	}
	if sent < 200000 {
		t.Logf("the session ended after %d NOOPs: %v", sent, err)
	}
}

// 5,000 RCPTs in one burst: the first 100 (the limit) are taken, every
// one after gets 452 4.5.3 (RFC 5321 §4.5.3.1.10), and the message still
// goes to the recipients that were taken, once.
func TestHostile5000Recipients(t *testing.T) {
	t.Parallel()
	const n = 5000
	// Distinct addresses, all caught by demo: one address given twice
	// is one recipient.
	ts := startServer(t, func(c *loopback.Config) { c.CatchAll = "demo" })
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line()
	var b strings.Builder
	b.WriteString("HELO me\r\nMAIL FROM:<a@b.example>\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "RCPT TO:<user%d@localhost>\r\n", i)
	}
	b.WriteString("DATA\r\n")
	go c.Send(b.String())
	c.Line() // HELO
	c.Line() // MAIL
	ok, refused := 0, 0
	for i := 0; i < n; i++ {
		switch l := c.Line(); {
		case strings.HasPrefix(l, "250 "):
			ok++
		case l == fmt.Sprintf("452 4.5.3 Too many recipients: at most %d per message; send the rest in another message", loopback.DefaultMaxRecipients):
			refused++
		default:
			t.Fatalf("RCPT %d: %q", i+1, l)
		}
	}
	if ok != loopback.DefaultMaxRecipients || refused != n-loopback.DefaultMaxRecipients {
		t.Fatalf("%d RCPTs taken and %d refused, want %d and %d", ok, refused, loopback.DefaultMaxRecipients, n-loopback.DefaultMaxRecipients)
	}
	c.Converse(nil, `
S: 354 *
C: Subject: many
C:
C: hi
C: .
S: 250 2.0.0 * Message accepted: delivered to the mailbox of demo
C: QUIT
S: 221 *`)
	if files := servertest.MaildirFiles(t, ts.Root, "demo", "new"); len(files) != 1 {
		t.Errorf("%d copies in demo's new/, want 1", len(files))
	}
}
