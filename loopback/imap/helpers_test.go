package imap_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/imap"
)

// testServer is a loopback server with SMTP, POP3, IMAP and IMAPS on
// free ports of 127.0.0.1, over a Maildir in a temporary directory.
type testServer struct {
	root                    string // the Store's root
	smtp, pop3, imap, imaps string
	tls                     *tls.Config // a client configuration trusting the server
	lb                      *loopback.Server
	srv                     *imap.Server
}

const (
	user = "demo"
	pass = "secret"
)

func startServer(t testing.TB, root string, tweak ...func(*loopback.Config)) *testServer {
	t.Helper()
	store, err := loopback.OpenStore(root, []string{user})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := loopback.SelfSignedCert(filepath.Join(filepath.Dir(root), "tls"), loopback.CertNames("localhost"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := loopback.Config{
		Accounts: []loopback.Account{{Name: user, Password: pass}},
		Store:    store,
		TLS:      cert.ServerConfig(),
		Limits:   loopback.Limits{AuthFailureDelay: time.Millisecond, MaxAuthFailureDelay: 2 * time.Millisecond},
	}
	for _, f := range tweak {
		f(&cfg)
	}
	lb, err := loopback.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := lb.Start(loopback.Addrs{smtpserver.Service: "127.0.0.1:0", pop3server.Service: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	srv := imap.New(lb)
	ia, err := srv.Start(loopback.Addrs{imap.Service: "127.0.0.1:0", imap.ServiceTLS: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{root: root, smtp: a[smtpserver.Service], pop3: a[pop3server.Service], imap: ia[imap.Service], imaps: ia[imap.ServiceTLS],
		tls: &tls.Config{RootCAs: cert.Pool(), ServerName: "localhost"}, lb: lb, srv: srv}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts.srv.Shutdown(ctx)
	ts.lb.Shutdown(ctx)
}

// login dials the plain port and logs in.
func (ts *testServer) login(t *testing.T, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(ts.imap, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatalf("LOGIN: %v", err)
	}
	return c
}

// send delivers a message over SMTP.
func (ts *testServer) send(t testing.TB, subject, body string) {
	t.Helper()
	msg := "From: alice@example.org\r\nTo: demo@localhost\r\nSubject: " + subject + "\r\n\r\n" + body
	c, err := smtp.Dial(ts.smtp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("SMTP: %v", err)
		}
	}
	check(c.Mail("alice@example.org"))
	check(c.Rcpt(user + "@localhost"))
	w, err := c.Data()
	check(err)
	_, err = io.WriteString(w, msg)
	check(err)
	check(w.Close())
	check(c.Quit())
}

// maildir is the account's Maildir.
func (ts *testServer) maildir() string { return filepath.Join(ts.root, user) }

// files lists the file names in a Maildir subdirectory.
func files(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// pop3 is a minimal POP3 client for the coherence tests.
type pop3 struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialPOP3(t *testing.T, addr string) *pop3 {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	p := &pop3{t: t, c: c, br: bufio.NewReader(c)}
	p.line("+OK")
	return p
}

func (p *pop3) line(want string) string {
	p.t.Helper()
	l, err := p.br.ReadString('\n')
	if err != nil {
		p.t.Fatalf("POP3: %v", err)
	}
	if !strings.HasPrefix(l, want) {
		p.t.Fatalf("POP3: got %q, want %s…", l, want)
	}
	return strings.TrimRight(l, "\r\n")
}

func (p *pop3) cmd(want, format string, args ...any) string {
	p.t.Helper()
	fmt.Fprintf(p.c, format+"\r\n", args...)
	return p.line(want)
}

// multi reads a multi-line reply's lines, up to the ".".
func (p *pop3) multi() []string {
	p.t.Helper()
	var lines []string
	for {
		l := p.line("")
		if l == "." {
			return lines
		}
		lines = append(lines, l)
	}
}

// faultDialects are the dialects of the fault rules, in the order the
// command line gives them.
var faultDialects = []*loopback.FaultDialect{smtpserver.Faults, pop3server.Faults, imap.Faults}

// imapConn dials addr and reads the greeting.
func imapConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, br := rawSession(t, addr)
	readUntil(t, br, "* OK")
	return c, br
}

// untilClosed reads until the server closes the connection and says how
// long that took.
func untilClosed(br *bufio.Reader) time.Duration {
	start := time.Now()
	for {
		if _, err := br.ReadString('\n'); err != nil {
			return time.Since(start)
		}
	}
}
