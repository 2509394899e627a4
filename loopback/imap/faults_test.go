package imap_test

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// rawIMAP is a connection that speaks IMAP as bytes, to see replies as a
// client gets them.
type rawIMAP struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawIMAP {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawIMAP{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (r *rawIMAP) line() string {
	r.t.Helper()
	l, err := r.br.ReadString('\n')
	if err != nil {
		r.t.Fatalf("reading: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// cmd sends a tagged command and returns its tagged completion.
func (r *rawIMAP) cmd(tag, line string) string {
	r.t.Helper()
	fmt.Fprintf(r.nc, "%s %s\r\n", tag, line)
	for {
		if l := r.line(); strings.HasPrefix(l, tag+" ") {
			return l
		}
	}
}

func withFaults(t *testing.T, specs ...string) func(*loopback.Config) {
	f, err := loopback.ParseFaults(specs, faultDialects...)
	if err != nil {
		t.Fatal(err)
	}
	return func(c *loopback.Config) { c.Faults = f }
}

// Fault rules reach IMAP: a reply of the rule's own at the Nth command,
// at login, before a literal is read, and a refusal at connect.
func TestIMAPFaults(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), withFaults(t,
		"imap.fetch#2:NO [UNAVAILABLE] Busy, try later",
		"imap.append:NO",
		"imap.login~nobody:BAD",
	))
	ts.send(t, "one", "1\r\n")
	c := dialRaw(t, ts.imap)
	c.line() // greeting
	if got := c.cmd("a0", "LOGIN nobody x"); !strings.HasPrefix(got, "a0 BAD Refused (fault rule imap.login~nobody:BAD)") {
		t.Errorf("LOGIN by the pattern's user: %q", got)
	}
	if got := c.cmd("a1", "LOGIN "+user+" "+pass); !strings.HasPrefix(got, "a1 OK") {
		t.Fatalf("LOGIN: %q", got)
	}
	c.cmd("a2", "SELECT INBOX")
	if got := c.cmd("a3", "FETCH 1 FLAGS"); !strings.HasPrefix(got, "a3 OK") {
		t.Errorf("first FETCH: %q", got)
	}
	if got := c.cmd("a4", "FETCH 1 FLAGS"); got != "a4 NO [UNAVAILABLE] Busy, try later" {
		t.Errorf("second FETCH: %q", got)
	}
	if got := c.cmd("a5", "FETCH 1 FLAGS"); !strings.HasPrefix(got, "a5 OK") {
		t.Errorf("third FETCH: %q", got)
	}
	// APPEND refused: the literal is still read, and the session stays
	// in step.
	fmt.Fprintf(c.nc, "a6 APPEND INBOX {5}\r\n")
	if l := c.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("no continuation for the literal: %q", l)
	}
	fmt.Fprintf(c.nc, "hello\r\n")
	for {
		l := c.line()
		if strings.HasPrefix(l, "a6 ") {
			if !strings.HasPrefix(l, "a6 NO Refused (fault rule imap.append:NO)") {
				t.Errorf("APPEND: %q", l)
			}
			break
		}
	}
	if got := c.cmd("a7", "NOOP"); !strings.HasPrefix(got, "a7 OK") {
		t.Errorf("after the refused APPEND: %q", got)
	}
}

func TestIMAPFaultDropAndConnect(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), withFaults(t,
		"imap.select:drop",
		"imap.connect#2:NO [UNAVAILABLE] Closed for the test",
	))
	c := dialRaw(t, ts.imap) // the first connection is served
	c.line()
	c.cmd("a1", "LOGIN "+user+" "+pass)
	fmt.Fprintf(c.nc, "a2 SELECT INBOX\r\n")
	for {
		l, err := c.br.ReadString('\n')
		if err != nil {
			break // closed, as the rule says
		}
		if strings.HasPrefix(l, "a2 ") {
			t.Fatalf("SELECT answered %q; want the connection dropped", l)
		}
	}
	d := dialRaw(t, ts.imap) // the second connection is refused
	if got := d.line(); got != "* BYE [UNAVAILABLE] Closed for the test" {
		t.Errorf("second connection: %q", got)
	}
}
