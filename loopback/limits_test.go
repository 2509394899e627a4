package loopback

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// The connection and time limits, over real sockets on 127.0.0.1. Every
// limit is set low, and every wait is bounded by patience: a protection
// that is missing shows as a connection still open when it runs out.
const patience = 5 * time.Second

// rawConn is a connection that says nothing unless told, for clients
// that hold a slot: no TLS handshake, no command.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc, br: bufio.NewReader(nc)}
}

// dialService connects to a listener of ts, with TLS on the implicit-TLS
// ports, and returns the client and the server's first line.
func dialService(t *testing.T, ts *testServer, svc Service) (*client, string) {
	t.Helper()
	c := dial(t, serviceAddr(ts, svc))
	if svc.implicit() {
		c.startTLS(ts.Cert)
	}
	c.conn.SetReadDeadline(time.Now().Add(patience))
	return c, c.line()
}

func serviceAddr(ts *testServer, svc Service) string {
	return [...]string{ts.Addrs[SMTP], ts.Addrs[SMTPS], ts.Addrs[POP3], ts.Addrs[POP3S]}[svc]
}

// greeted reports whether a first line is a greeting, not a refusal.
func greeted(svc Service, line string) bool {
	if svc.isPOP3() {
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
			if isTimeout(err) {
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
		svc     Service
		refusal string
	}{
		{SMTP, "421 4.7.0 localhost Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{SMTPS, "421 4.7.0 localhost Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{POP3, "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
		{POP3S, "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (at most 2 at once from one address), try again later"},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *Config) {
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
			if l := lastLine(t, third.conn, third.br); l != "" {
				t.Errorf("after the refusal: %q", l)
			}
			// Every other listener still serves this address.
			for _, other := range []Service{SMTP, SMTPS, POP3, POP3S} {
				if other == tt.svc {
					continue
				}
				if _, l := dialService(t, ts, other); !greeted(other, l) {
					t.Errorf("%s refused while %s is full: %q", other, tt.svc, l)
				}
			}
			// A slot given back is taken again.
			first.conn.Close()
			deadline := time.Now().Add(patience)
			for {
				c, l := dialService(t, ts, tt.svc)
				if greeted(tt.svc, l) {
					break
				}
				c.conn.Close()
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
	tests := []struct{ silent, served Service }{
		{SMTPS, SMTP},
		{POP3S, POP3},
		{SMTP, POP3},
	}
	for _, tt := range tests {
		t.Run(tt.silent.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *Config) {
				c.Limits.MaxConnections = 2
				c.Limits.MaxClientConnections = 2
				c.Limits.TLSHandshakeTimeout = 200 * time.Millisecond
			})
			silent := []*rawConn{dialRaw(t, serviceAddr(ts, tt.silent)), dialRaw(t, serviceAddr(ts, tt.silent))}
			if _, l := dialService(t, ts, tt.served); !greeted(tt.served, l) {
				t.Fatalf("%s refused while %s holds its budget: %q", tt.served, tt.silent, l)
			}
			if tt.silent.implicit() {
				for _, c := range silent {
					lastLine(t, c.nc, c.br)
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
		svc   Service
		edit  func(*Limits)
		every time.Duration
		send  string // sent every time, from after the greeting
		want  string // the last line before the close; a prefix if it ends in a space
	}{
		{"smtp line", SMTP, func(l *Limits) { l.LineTimeout = 300 * time.Millisecond }, 20 * time.Millisecond, "N",
			"421 4.4.2 localhost A command line took more than 300ms to arrive whole, closing the connection"},
		{"pop3 line", POP3, func(l *Limits) { l.LineTimeout = 300 * time.Millisecond }, 20 * time.Millisecond, "N", ""},
		{"smtp session", SMTP, func(l *Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n",
			"421 4.4.2 localhost Session longer than 500ms, closing the connection; connect again"},
		{"pop3 session", POP3, func(l *Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n", "-ERR NOOP is not valid now "},
		{"smtps session", SMTPS, func(l *Limits) { l.MaxSession = 500 * time.Millisecond }, 50 * time.Millisecond, "NOOP\r\n",
			"421 4.4.2 localhost Session longer than 500ms, closing the connection; connect again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *Config) { tt.edit(&c.Limits) })
			c, greeting := dialService(t, ts, tt.svc)
			if !greeted(tt.svc, greeting) {
				t.Fatal(greeting)
			}
			last := make(chan string, 1)
			go func() {
				c.conn.SetReadDeadline(time.Now().Add(patience))
				l := ""
				for {
					s, err := c.br.ReadString('\n')
					if err != nil {
						if isTimeout(err) {
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
					c.conn.Write([]byte(tt.send))
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
		svc  Service
		want string
	}{
		{SMTP, "421 4.4.2 localhost Idle for more than 200ms, closing the connection"},
		{POP3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, func(c *Config) {
				c.Limits.MaxConnections = 5
				c.Limits.MaxClientConnections = 5
				c.Limits.SMTPIdle = time.Minute
				c.Limits.POP3Idle = time.Minute
				c.Limits.StressIdle = 200 * time.Millisecond
			})
			// Three of five: no stress; the fourth makes 80%.
			var idle []*client
			for range 4 {
				c, l := dialService(t, ts, tt.svc)
				if !greeted(tt.svc, l) {
					t.Fatal(l)
				}
				idle = append(idle, c)
			}
			for i, c := range idle {
				if l := lastLine(t, c.conn, c.br); l != tt.want {
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
				c.conn.Close()
				if time.Now().After(deadline) {
					t.Fatalf("no room after the idle sessions closed: %q", l)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

// Below 80% of the budget the idle timeout is the protocol's: a session
// waiting for a command is still served after StressIdle has passed.
func TestNoStressBelowThreshold(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(c *Config) {
		c.Limits.MaxConnections = 5
		c.Limits.StressIdle = 50 * time.Millisecond
	})
	c, l := dialService(t, ts, SMTP)
	if !greeted(SMTP, l) {
		t.Fatal(l)
	}
	// Waiting past StressIdle is the point of this test.
	time.Sleep(200 * time.Millisecond)
	c.converse(nil, "C: NOOP\nS: 250 *")
}
