package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// wire is a raw line-level client of mailsh serve, for tests that send
// the bytes a user's client would.
type wire struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// dialWire connects to addr; every read and write must be done within
// 10 seconds.
func dialWire(t *testing.T, addr string) *wire {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &wire{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// line reads one line, without its line ending.
func (w *wire) line() string {
	w.t.Helper()
	l, err := w.br.ReadString('\n')
	if err != nil {
		w.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// send writes s and CRLF.
func (w *wire) send(s string) {
	w.t.Helper()
	if _, err := w.nc.Write([]byte(s + "\r\n")); err != nil {
		w.t.Fatalf("write %q: %v", s, err)
	}
}

// converse plays a script: "C: " lines are sent with CRLF, "S: " lines
// must be what the server sends next, "*" standing for any text.
func (w *wire) converse(script string) {
	w.t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimLeft(strings.TrimRight(l, "\r"), " \t")
		switch {
		case l == "":
		case strings.HasPrefix(l, "C: "):
			w.send(l[3:])
		case strings.HasPrefix(l, "S: "):
			want, got := l[3:], w.line()
			if got != want && !loopback.GlobMatch(want, got) {
				w.t.Fatalf("server said\n\t%q\nwant\n\t%q", got, want)
			}
		default:
			w.t.Fatalf("bad script line %q", l)
		}
	}
}

// closed reads until the server closes the connection, within 5 seconds,
// and returns the last line it sent before ("" for none).
func (w *wire) closed() string {
	w.t.Helper()
	w.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	last := ""
	for {
		l, err := w.br.ReadString('\n')
		if err != nil {
			if loopback.IsTimeout(err) {
				w.t.Fatalf("connection still open after 5s (last line %q)", last)
			}
			return last
		}
		last = strings.TrimRight(l, "\r\n")
	}
}

// ehlo reads an SMTP greeting, says EHLO and returns the reply's lines.
func (w *wire) ehlo() []string {
	w.t.Helper()
	if l := w.line(); !strings.HasPrefix(l, "220 ") {
		w.t.Fatalf("greeting %q", l)
	}
	return w.hello()
}

// hello says EHLO and returns the reply's lines.
func (w *wire) hello() []string {
	w.t.Helper()
	w.send("EHLO client")
	var lines []string
	for {
		l := w.line()
		if !strings.HasPrefix(l, "250") {
			w.t.Fatalf("EHLO: %q", l)
		}
		if lines = append(lines, l); strings.HasPrefix(l, "250 ") {
			return lines
		}
	}
}

// startTLS turns the connection into a TLS client that trusts the
// certificate in certFile, as a client given --cafile does.
func (w *wire) startTLS(certFile string) {
	w.t.Helper()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		w.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		w.t.Fatalf("no certificate in %s", certFile)
	}
	tc := tls.Client(w.nc, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err := tc.Handshake(); err != nil {
		w.t.Fatalf("TLS handshake: %v", err)
	}
	w.nc, w.br = tc, bufio.NewReader(tc)
}
