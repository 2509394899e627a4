// Package servertest holds what the tests of the built-in server's
// packages share: a server on 127.0.0.1 with free ports (each test says
// which services to start), a raw line-level client that plays golden
// transcripts, a fuzzing harness over net.Pipe, the built-in server's
// replies that many transcripts begin with, and a few helpers. Only
// tests import it; it imports no protocol package, so that their
// in-package tests can.
package servertest

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// Server is a server on 127.0.0.1 with free ports, stopped at the test's
// end.
type Server struct {
	*loopback.Server
	Addrs loopback.Addrs
	Root  string
	Cert  *loopback.Cert
}

// Start starts a server serving services, with the accounts demo:secret
// and alice:wonderland, TLS on, and whatever change edit makes to the
// Config.
func Start(t testing.TB, edit func(*loopback.Config), services ...*loopback.Service) *Server {
	t.Helper()
	root := t.TempDir()
	store, err := loopback.OpenStore(filepath.Join(root, "mail"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := loopback.SelfSignedCert(filepath.Join(root, "tls"), []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := loopback.Config{
		Accounts: []loopback.Account{{Name: "demo", Password: "secret"}, {Name: "alice", Password: "wonderland"}},
		Store:    store,
		TLS:      cert.ServerConfig(),
		// Failed logins wait milliseconds, not seconds, so that tests of
		// wrong passwords stay fast; authguard_test.go checks the waits.
		Limits: loopback.Limits{AuthFailureDelay: time.Millisecond, MaxAuthFailureDelay: 4 * time.Millisecond},
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := loopback.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := loopback.Addrs{}
	for _, svc := range services {
		want[svc] = "127.0.0.1:0"
	}
	addrs, err := srv.Start(want)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &Server{Server: srv, Addrs: addrs, Root: store.Root, Cert: cert}
}

// Client is a raw line-level connection for golden transcripts.
type Client struct {
	T    testing.TB
	Conn net.Conn
	BR   *bufio.Reader
}

// Dial connects to addr, with a deadline of 30 seconds for the whole
// conversation.
func Dial(t testing.TB, addr string) *Client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &Client{T: t, Conn: c, BR: bufio.NewReader(c)}
}

// Send writes s as it is.
func (c *Client) Send(s string) {
	c.T.Helper()
	if _, err := c.Conn.Write([]byte(s)); err != nil {
		c.T.Fatalf("write %q: %v", s, err)
	}
}

// Line reads one line, without its line ending.
func (c *Client) Line() string {
	c.T.Helper()
	l, err := c.BR.ReadString('\n')
	if err != nil {
		c.T.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
}

// StartTLS turns the connection into a TLS client trusting cert.
func (c *Client) StartTLS(cert *loopback.Cert) {
	c.T.Helper()
	tc := tls.Client(c.Conn, &tls.Config{RootCAs: cert.Pool(), ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		c.T.Fatalf("TLS handshake: %v", err)
	}
	c.Conn = tc
	c.BR = bufio.NewReader(tc)
}

// Converse plays a golden transcript: "C: " lines are sent with CRLF,
// "S: " lines must be what the server sends next, where "*" in an
// expected line stands for any text. "TLS" alone starts TLS.
func (c *Client) Converse(cert *loopback.Cert, script string) {
	c.T.Helper()
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case l == "":
		case strings.HasPrefix(l, "C: "):
			c.Send(l[3:] + "\r\n")
		case l == "C:":
			c.Send("\r\n")
		case strings.HasPrefix(l, "S: "):
			want, got := l[3:], c.Line()
			if got != want && !(strings.Contains(want, "*") && loopback.GlobMatch(want, got)) {
				c.T.Fatalf("server said\n\t%q\nwant\n\t%q", got, want)
			}
		case l == "TLS":
			c.StartTLS(cert)
		default:
			c.T.Fatalf("bad script line %q", l)
		}
	}
}

// EHLO reads the greeting and says EHLO, reading the reply to its end.
func (c *Client) EHLO() {
	c.T.Helper()
	if l := c.Line(); !strings.HasPrefix(l, "220 ") {
		c.T.Fatalf("greeting %q", l)
	}
	c.Send("EHLO client\r\n")
	for {
		l := c.Line()
		if !strings.HasPrefix(l, "250") {
			c.T.Fatalf("EHLO: %q", l)
		}
		if strings.HasPrefix(l, "250 ") {
			return
		}
	}
}

// ExpectNoop sends NOOP and checks that its reply is the next line: the
// server answered nothing else in between, without waiting to be sure.
func (c *Client) ExpectNoop() {
	c.T.Helper()
	c.Send("NOOP\r\n")
	if got := c.Line(); got != "250 2.0.0 OK, nothing done" {
		c.T.Fatalf("the server said %q, want NOOP's reply next", got)
	}
}

// ExpectClosed checks that the server closed the connection.
func (c *Client) ExpectClosed() {
	c.T.Helper()
	c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if l, err := c.BR.ReadString('\n'); err == nil {
		c.T.Fatalf("connection still open: read %q", l)
	}
}

// MaildirFiles lists the files in an account's new/ (or sub) directory.
func MaildirFiles(t testing.TB, root, account, sub string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, account, sub))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, filepath.Join(root, account, sub, e.Name()))
	}
	return names
}

// CountNew counts the messages in an account's new/; a Maildir not yet
// made holds none.
func CountNew(t testing.TB, root, account string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, account, "new"))
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// ReadOnly returns the content of the single message in new/.
func ReadOnly(t testing.TB, root, account string) string {
	t.Helper()
	files := MaildirFiles(t, root, account, "new")
	if len(files) != 1 {
		t.Fatalf("%d messages in %s's new/, want 1", len(files), account)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Put writes a file into an account's new/ as another program would.
func Put(t testing.TB, ts *Server, account, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(ts.Root, account, "new", name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// APOPDigest is computed here independently of pop3.APOPDigest.
func APOPDigest(stamp, pass string) string {
	sum := md5.Sum([]byte(stamp + pass))
	return hex.EncodeToString(sum[:])
}

// Exists reports whether a path exists.
func Exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
