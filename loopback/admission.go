package loopback

import (
	"net"
	"sync"
	"time"
)

// Who may connect, and for how long. Each listener (SMTP, SMTPS, POP3,
// POP3S) has a budget of its own: MaxConnections sessions at once, of
// which at most MaxClientConnections from one client address, as
// Postfix's anvil counts them. When a listener holds 80% of its budget,
// it is under stress, and its sessions get the short StressIdle timeout,
// so that silent clients make room for new ones within seconds, as
// Postfix's smtpd_timeout does under stress.

// budget counts one listener's sessions.
type budget struct {
	mu       sync.Mutex
	active   int            // sessions admitted and not yet ended
	clients  map[string]int // active sessions by clientKey
	refusing int            // refused connections being told so
}

// refusal says why a connection is not served.
type refusal struct {
	perClient bool   // the client's address is at MaxClientConnections
	client    string // the client's address, for the reply
	max       int    // the limit met
}

// stressed reports whether a listener holds 80% of its budget or more.
func stressed(active, max int) bool { return 5*active >= 4*max }

// admit counts a new connection of svc from ip against the listener's
// budget. It returns release, to call when the connection ends, and
// either nil (serve it), a refusal (tell the client why and close), or
// drop (close without a word: too many refusals are being sent already,
// and each costs a goroutine and, on the implicit-TLS ports, a handshake).
func (s *Server) admit(svc Service, ip net.IP) (release func(), r *refusal, drop bool) {
	b := &s.budgets[svc]
	key := clientKey(ip)
	lim := s.limits
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.clients[key] >= lim.MaxClientConnections:
		r = &refusal{perClient: true, client: ipString(ip), max: lim.MaxClientConnections}
	case b.active >= lim.MaxConnections:
		r = &refusal{max: lim.MaxConnections}
	}
	if r != nil {
		if b.refusing >= lim.MaxConnections {
			return func() {}, r, true
		}
		b.refusing++
		return func() {
			b.mu.Lock()
			b.refusing--
			b.mu.Unlock()
		}, r, false
	}
	if b.clients == nil {
		b.clients = map[string]int{}
	}
	b.active++
	b.clients[key]++
	if stressed(b.active, lim.MaxConnections) {
		// Sessions already waiting for a command took the long timeout
		// when they began to wait: cut it short now.
		go s.shortenIdle(svc)
	}
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.active--
		if b.clients[key]--; b.clients[key] <= 0 {
			delete(b.clients, key)
		}
	}, nil, false
}

// underStress reports whether svc's listener is under stress now.
func (s *Server) underStress(svc Service) bool {
	b := &s.budgets[svc]
	b.mu.Lock()
	defer b.mu.Unlock()
	return stressed(b.active, s.limits.MaxConnections)
}

// shortenIdle gives the sessions of svc waiting for a command the short
// idle timeout, counted from now, where that ends their wait sooner.
func (s *Server) shortenIdle(svc Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	short := s.limits.StressIdle
	end := time.Now().Add(short)
	for c := range s.conns {
		if c.svc != svc {
			continue
		}
		c.mu.Lock()
		if c.waiting && !c.stop && end.Before(c.readDeadline) {
			c.raw.SetReadDeadline(end)
			c.readDeadline, c.idle, c.expiry = end, short, expiryIdle
		}
		c.mu.Unlock()
	}
}

// clientKey is the address limits are counted by: an IPv4 address, or an
// IPv6 address's /64 network, since one machine commonly holds a whole
// /64 and could otherwise pick a fresh address for each connection.
func clientKey(ip net.IP) string {
	if ip == nil {
		return ""
	}
	if ip4 := ip.To4(); ip4 != nil {
		return ip4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func (r *refusal) String() string {
	if r.perClient {
		return "too many connections from " + r.client + " (at most " + itoa(r.max) + " per address)"
	}
	return "too many connections (at most " + itoa(r.max) + ")"
}

// timeLimit is the limit behind the latest read deadline.
func (c *conn) timeLimit() time.Duration {
	switch c.expiry {
	case expiryLine:
		return c.srv.limits.LineTimeout
	case expirySession:
		return c.srv.limits.MaxSession
	}
	return c.idle
}

// describeTimeout says which time limit ended a session, for the log.
func (c *conn) describeTimeout() string {
	switch c.expiry {
	case expiryLine:
		return "a command line took more than " + c.timeLimit().String()
	case expirySession:
		return "session longer than " + c.timeLimit().String()
	}
	if c.idle < c.baseIdle() {
		return "idle for " + c.idle.String() + " while the listener is busy"
	}
	return "idle for " + c.idle.String()
}
