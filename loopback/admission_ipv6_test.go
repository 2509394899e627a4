package loopback_test

import (
	"net"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// An IPv6 client is counted by its /64 for MaxClientConnections: one
// machine commonly holds a whole /64. This machine's loopback has one
// IPv6 address, ::1, so the sockets show that an IPv6 client is counted
// and told so; the addresses of one /64 are given to the admission
// itself, as a listener would give them.
func TestClientConnectionLimitIPv6(t *testing.T) {
	t.Parallel()
	start := func(t *testing.T) *servertest.Server {
		return startServer(t, func(c *loopback.Config) {
			c.Limits.MaxConnections = 10
			c.Limits.MaxClientConnections = 1
		})
	}
	t.Run("sockets", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback on this machine: %v", err)
		}
		l.Close()
		ts := start(t)
		tests := []struct {
			svc     *loopback.Service
			refusal string
		}{
			{smtpserver.Service, "421 4.7.0 localhost Too many connections from ::1 (at most 1 at once from one address), try again later"},
			{pop3server.Service, "-ERR [SYS/TEMP] Too many connections from ::1 (at most 1 at once from one address), try again later"},
		}
		for _, tt := range tests {
			addrs, err := ts.Start(loopback.Addrs{tt.svc: "[::1]:0"})
			if err != nil {
				t.Fatal(err)
			}
			first := dialRaw(t, addrs[tt.svc])
			if l, err := first.BR.ReadString('\n'); err != nil || !greeted(tt.svc, l) {
				t.Fatalf("%s: first connection from ::1: %q, %v", tt.svc, l, err)
			}
			second := dialRaw(t, addrs[tt.svc])
			if l := lastLine(t, second.nc, second.BR); l != tt.refusal {
				t.Errorf("%s: second connection from ::1 got\n\t%q\nwant\n\t%q", tt.svc, l, tt.refusal)
			}
			// The IPv4 listener of the service counts 127.0.0.1 apart.
			if _, l := dialService(t, ts, tt.svc); !greeted(tt.svc, l) {
				t.Errorf("%s: 127.0.0.1 refused while ::1 holds its slot: %q", tt.svc, l)
			}
		}
	})

	t.Run("one /64", func(t *testing.T) {
		t.Parallel()
		ts := start(t)
		tests := []struct {
			held, next string
			refused    bool
		}{
			{"2001:db8:1:2::1", "2001:db8:1:2::2", true},
			{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true},
			{"2001:db8:1:2:8000::1", "2001:db8:1:2::1", true},
			{"::1", "::2", true},
			{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
			{"2001:db8:1:2::1", "2001:db8:0:2::1", false},
			{"fe80::1", "fe80:0:0:1::1", false},
			// IPv4 is counted by address, written either way.
			{"192.0.2.1", "192.0.2.2", false},
			{"192.0.2.1", "::ffff:192.0.2.1", true},
		}
		svc := smtpserver.Service
		for _, tt := range tests {
			release, refusal, _ := ts.Admit(svc, net.ParseIP(tt.held))
			if refusal != "" {
				t.Fatalf("%s refused with nothing held: %s", tt.held, refusal)
			}
			release2, refusal2, _ := ts.Admit(svc, net.ParseIP(tt.next))
			release2()
			release()
			if got := refusal2 != ""; got != tt.refused {
				t.Errorf("%s while %s is held: refused %v (%q), want %v", tt.next, tt.held, got, refusal2, tt.refused)
			}
			if refusal2 != "" && !strings.Contains(refusal2, "too many connections from "+net.ParseIP(tt.next).String()+" ") {
				t.Errorf("refusal %q does not name the client %s", refusal2, tt.next)
			}
		}
	})
}
