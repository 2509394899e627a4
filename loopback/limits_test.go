package loopback_test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// The connection and time limits, over real sockets on 127.0.0.1. Every
// limit is set low, and every wait is bounded by patience: a protection
// that is missing shows as a connection still open when it runs out.
const patience = 5 * time.Second

// rawConn is a connection that says nothing unless told, for clients
// that hold a slot: no TLS handshake, no command.
type rawConn struct {
	T  *testing.T
	nc net.Conn
	BR *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{T: t, nc: nc, BR: bufio.NewReader(nc)}
}

// dialService connects to a listener of ts, with TLS on the implicit-TLS
// ports, and returns the client and the server's first line.
func dialService(t *testing.T, ts *servertest.Server, svc *loopback.Service) (*servertest.Client, string) {
	t.Helper()
	c := servertest.Dial(t, serviceAddr(ts, svc))
	if svc.ImplicitTLS {
		c.StartTLS(ts.Cert)
	}
	c.Conn.SetReadDeadline(time.Now().Add(patience))
	return c, c.Line()
}

func serviceAddr(ts *servertest.Server, svc *loopback.Service) string {
	return ts.Addrs[svc]
}

// greeted reports whether a first line is a greeting, not a refusal.
func greeted(svc *loopback.Service, line string) bool {
	if svc == pop3server.Service || svc == pop3server.ServiceTLS {
		return strings.HasPrefix(line, "+OK ")
	}
	return strings.HasPrefix(line, "220 ")
}

// lastLine reads until the server closes the connection and returns the
// last line it sent ("" for none). It fails if the connection is still
// open after patience.
func lastLine(t *testing.T, nc net.Conn, br *bufio.Reader) string {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(patience))
	last := ""
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			if loopback.IsTimeout(err) {
				t.Fatalf("connection still open after %s (last line %q)", patience, last)
			}
			return last
		}
		last = strings.TrimRight(l, "\r\n")
	}
}

// One client address gets MaxClientConnections sessions at once on each
// listener; the next is told why in one line and closed. Other listeners
// keep their own budgets; a slot given back is taken again.
func TestClientConnectionLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		svc     *loopback.Service
		refusal string
	}{
		{smtpserver.Service, "421 4.7.0 localhost Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{smtpserver.ServiceTLS, "421 4.7.0 localhost Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{pop3server.Service, "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{pop3server.ServiceTLS, "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *loopback.Config) {
				c.Limits.MaxConnections = 10
				c.Limits.MaxClientConnections = 2
			})
			first, l1 := dialService(t, ts, tt.svc)
			_, l2 := dialService(t, ts, tt.svc)
			if !greeted(tt.svc, l1) || !greeted(tt.svc, l2) {
				t.Fatalf("first two not served: %q, %q", l1, l2)
			}
			third, l3 := dialService(t, ts, tt.svc)
			if l3 != tt.refusal {
				t.Fatalf("third connection got\n\t%q\nwant\n\t%q", l3, tt.refusal)
			}
			if l := lastLine(t, third.Conn, third.BR); l != "" {
				t.Errorf("after the refusal: %q", l)
			}
			// Every other listener still serves this address.
			for _, other := range []*loopback.Service{smtpserver.Service, smtpserver.ServiceTLS, pop3server.Service, pop3server.ServiceTLS} {
				if other == tt.svc {
					continue
				}
				if _, l := dialService(t, ts, other); !greeted(other, l) {
					t.Errorf("%s refused while %s is full: %q", other, tt.svc, l)
				}
			}
			// A slot given back is taken again.
			first.Conn.Close()
			deadline := time.Now().Add(patience)
			for {
				c, l := dialService(t, ts, tt.svc)
				if greeted(tt.svc, l) {
					break
				}
				c.Conn.Close()
				if time.Now().After(deadline) {
					t.Fatalf("no slot after a session ended: %q", l)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// Connections that never start their TLS handshake on the implicit-TLS
// port hold that listener's budget only: plain SMTP and POP3 are served.
// Such a connection is closed after TLSHandshakeTimeout.
func TestListenerBudgets(t *testing.T) {
	t.Parallel()
	tests := []struct{ silent, served *loopback.Service }{
		{smtpserver.ServiceTLS, smtpserver.Service},
		{pop3server.ServiceTLS, pop3server.Service},
		{smtpserver.Service, pop3server.Service},
	}
	for _, tt := range tests {
		t.Run(tt.silent.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *loopback.Config) {
				c.Limits.MaxConnections = 2
				c.Limits.MaxClientConnections = 2
				c.Limits.TLSHandshakeTimeout = 200 * time.Millisecond
			})
			silent := []*rawConn{dialRaw(t, serviceAddr(ts, tt.silent)), dialRaw(t, serviceAddr(ts, tt.silent))}
			if _, l := dialService(t, ts, tt.served); !greeted(tt.served, l) {
				t.Fatalf("%s refused while %s holds its budget: %q", tt.served, tt.silent, l)
			}
			if tt.silent.ImplicitTLS {
				for _, c := range silent {
					lastLine(t, c.nc, c.BR)
				}
			}
		})
	}
}

// A command line must arrive whole within LineTimeout of its first octet,
// and a session end within MaxSession, however busy the client keeps it:
// an octet every 20 ms, or a NOOP every 50 ms, does not hold it open.
// SMTP says which limit it met (RFC 5321 §4.5.3.2.7); POP3 just closes,
// as at its autologout timer (RFC 1939 §3).
func TestTimeLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		svc   *loopback.Service
		edit  func(*loopback.Limits)
		every time.Duration
		send  string // sent every time, from after the greeting
		want  string // the last line before the close; a prefix if it ends in a space
	}{
		{"smtp line", smtpserver.Service, func(l *loopback.Limits) { l.LineTimeout = 300 * time.Millisecond }, 20 * time.Millisecond, "N",
			"421 4.4.2 localhost A command line took more than 300ms to arrive whole, closing the connection"},
		{"pop3 line", pop3server.Service, func(l *loopback.Limits) { l.LineTimeout = 300 * time.Millisecond }, 20 * time.Millisecond, "N", ""},
		{"smtp session", smtpserver.Service, func(l *loopback.Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n",
			"421 4.4.2 localhost Session longer than 500ms, closing the connection; connect again"},
		{"pop3 session", pop3server.Service, func(l *loopback.Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n", "-ERR NOOP is not valid now "},
		{"smtps session", smtpserver.ServiceTLS, func(l *loopback.Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n",
			"421 4.4.2 localhost Session longer than 500ms, closing the connection; connect again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *loopback.Config) { tt.edit(&c.Limits) })
			c, greeting := dialService(t, ts, tt.svc)
			if !greeted(tt.svc, greeting) {
				t.Fatal(greeting)
			}
			last := make(chan string, 1)
			go func() {
				c.Conn.SetReadDeadline(time.Now().Add(patience))
				l := ""
				for {
					s, err := c.BR.ReadString('\n')
					if err != nil {
						if loopback.IsTimeout(err) {
							l = "still open"
						}
						last <- l
						return
					}
					l = strings.TrimRight(s, "\r\n")
				}
			}()
			tick := time.NewTicker(tt.every)
			defer tick.Stop()
			for {
				select {
				case l := <-last:
					if l != tt.want && !(strings.HasSuffix(tt.want, " ") && strings.HasPrefix(l, tt.want)) {
						t.Fatalf("last line %q, want %q", l, tt.want)
					}
					return
				case <-tick.C:
					// Writes fail once the server has closed; the reader
					// tells the outcome.
					c.Conn.Write([]byte(tt.send))
				}
			}
		})
	}
}

// While a listener holds 80% of MaxConnections or more, sessions waiting
// for a command, and new ones, get StressIdle instead of the idle timeout,
// so that silent clients make room within StressIdle.
func TestStressIdle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		svc  *loopback.Service
		want string
	}{
		{smtpserver.Service, "421 4.4.2 localhost Idle for more than 200ms, closing the connection"},
		{pop3server.Service, ""},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *loopback.Config) {
				c.Limits.MaxConnections = 5
				c.Limits.MaxClientConnections = 5
				c.Limits.Idle = time.Minute
				c.Limits.StressIdle = 200 * time.Millisecond
			})
			// Three of five: no stress; the fourth makes 80%.
			var idle []*servertest.Client
			for range 4 {
				c, l := dialService(t, ts, tt.svc)
				if !greeted(tt.svc, l) {
					t.Fatal(l)
				}
				idle = append(idle, c)
			}
			for i, c := range idle {
				if l := lastLine(t, c.Conn, c.BR); l != tt.want {
					t.Errorf("session %d: last line %q, want %q", i+1, l, tt.want)
				}
			}
			// The room made serves a new client.
			deadline := time.Now().Add(patience)
			for {
				c, l := dialService(t, ts, tt.svc)
				if greeted(tt.svc, l) {
					break
				}
				c.Conn.Close()
				if time.Now().After(deadline) {
					t.Fatalf("no room after the idle sessions closed: %q", l)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// Below 80% of the budget the idle timeout is the protocol's: a session
// waiting for a command is closed after Idle, not StressIdle.
func TestNoStressBelowThreshold(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(c *loopback.Config) {
		c.Limits.MaxConnections = 5
		c.Limits.Idle = 400 * time.Millisecond
		c.Limits.StressIdle = 50 * time.Millisecond
	})
	start := time.Now()
	c, l := dialService(t, ts, smtpserver.Service)
	if !greeted(smtpserver.Service, l) {
		t.Fatal(l)
	}
	if l, want := lastLine(t, c.Conn, c.BR), "421 4.4.2 localhost Idle for more than 400ms, closing the connection"; l != want {
		t.Errorf("last line %q, want %q", l, want)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("closed after %v, before the idle timeout", d)
	}
}
