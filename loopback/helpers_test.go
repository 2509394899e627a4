package loopback

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testServer is a server on 127.0.0.1 with free ports, stopped at the
// test's end.
type testServer struct {
	*Server
	Addrs Addrs
	Root  string
	Cert  *Cert
}

// startServer starts a server with the accounts demo:secret and
// alice:wonderland, TLS on, and whatever change edits makes to the Config.
func startServer(t testing.TB, edit func(*Config)) *testServer {
	t.Helper()
	root := t.TempDir()
	store, err := OpenStore(filepath.Join(root, "mail"), nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := SelfSignedCert(filepath.Join(root, "tls"), []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Accounts: []Account{{"demo", "secret"}, {"alice", "wonderland"}},
		Store:    store,
		TLS:      cert.ServerConfig(),
		// Failed logins wait milliseconds, not seconds, so that tests of
		// wrong passwords stay fast; authguard_test.go checks the waits.
		Limits: Limits{AuthFailureDelay: time.Millisecond, MaxAuthFailureDelay: 4 * time.Millisecond},
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := srv.Start(Addrs{SMTP: "127.0.0.1:0", POP3: "127.0.0.1:0", SMTPS: "127.0.0.1:0", POP3S: "127.0.0.1:0"})
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
	return &testServer{Server: srv, Addrs: addrs, Root: store.Root, Cert: cert}
}

// client is a raw line-level connection for golden transcripts.
type client struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &client{t: t, conn: c, br: bufio.NewReader(c)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatalf("write %q: %v", s, err)
	}
}

func (c *client) line() string {
	c.t.Helper()
	l, err := c.br.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
}

// startTLS turns the connection into a TLS client trusting cert.
func (c *client) startTLS(cert *Cert) {
	c.t.Helper()
	tc := tls.Client(c.conn, &tls.Config{RootCAs: cert.Pool(), ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("TLS handshake: %v", err)
	}
	c.conn = tc
	c.br = bufio.NewReader(tc)
}

// converse plays a golden transcript: "C: " lines are sent with CRLF,
// "S: " lines must be what the server sends next, where "*" in an
// expected line stands for any text. "TLS" alone starts TLS.
func (c *client) converse(cert *Cert, script string) {
	c.t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimRight(l, "\r")
		switch {
		case l == "":
		case strings.HasPrefix(l, "C: "):
			c.send(l[3:] + "\r\n")
		case l == "C:":
			c.send("\r\n")
		case strings.HasPrefix(l, "S: "):
			want, got := l[3:], c.line()
			if got != want && !(strings.Contains(want, "*") && globMatch(want, got)) {
				c.t.Fatalf("server said\n\t%q\nwant\n\t%q", got, want)
			}
		case l == "TLS":
			c.startTLS(cert)
		default:
			c.t.Fatalf("bad script line %q", l)
		}
	}
}

// expectClosed checks that the server closed the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if l, err := c.br.ReadString('\n'); err == nil {
		c.t.Fatalf("connection still open: read %q", l)
	}
}

// maildirFiles lists the files in an account's new/ (or sub) directory.
func maildirFiles(t testing.TB, root, account, sub string) []string {
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

// readOnly returns the content of the single message in new/.
func readOnly(t testing.TB, root, account string) string {
	t.Helper()
	files := maildirFiles(t, root, account, "new")
	if len(files) != 1 {
		t.Fatalf("%d messages in %s's new/, want 1", len(files), account)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// apopDigest is computed here independently of pop3.APOPDigest.
func apopDigest(stamp, pass string) string {
	sum := md5.Sum([]byte(stamp + pass))
	return hex.EncodeToString(sum[:])
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// exists reports whether a path exists.
func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
