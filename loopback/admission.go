package loopback

import (
	"net"
	"strconv"
	"sync"
	"time"
)

// Who may connect, and for how long. Each service (each listener) has a
// budget of its own: MaxConnections sessions at once, of
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

// Refusal says why a connection is not served; the protocol tells the
// client in its own words.
type Refusal struct {
	PerClient bool   // the client's address is at MaxClientConnections
	Client    string // the client's address, for the reply
	Max       int    // the limit met
}

// stressed reports whether a listener holds 80% of its budget or more.
func stressed(active, max int) bool { return 5*active >= 4*max }

// admit counts a new connection of svc from ip against the listener's
// budget. It returns release, to call when the connection ends, and
// either nil (serve it), a refusal (tell the client why and close), or
// drop (close without a word: too many refusals are being sent already,
// and each costs a goroutine and, on the implicit-TLS ports, a handshake).
func (s *Server) admit(svc *Service, ip net.IP) (release func(), r *Refusal, drop bool) {
	b := s.budget(svc)
	key := clientKey(ip)
	lim := s.limits
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.clients[key] >= lim.MaxClientConnections:
		r = &Refusal{PerClient: true, Client: IPString(ip), Max: lim.MaxClientConnections}
	case b.active >= lim.MaxConnections:
		r = &Refusal{Max: lim.MaxConnections}
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

// budget returns svc's budget, made at its first connection.
func (s *Server) budget(svc *Service) *budget {
	s.budgetsMu.Lock()
	defer s.budgetsMu.Unlock()
	b := s.budgets[svc]
	if b == nil {
		b = &budget{}
		s.budgets[svc] = b
	}
	return b
}

// underStress reports whether svc's listener is under stress now.
func (s *Server) underStress(svc *Service) bool {
	b := s.budget(svc)
	b.mu.Lock()
	defer b.mu.Unlock()
	return stressed(b.active, s.limits.MaxConnections)
}

// shortenIdle gives the sessions of svc waiting for a command the short
// idle timeout, counted from now, where that ends their wait sooner.
func (s *Server) shortenIdle(svc *Service) {
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
			c.readDeadline, c.idle, c.expiry = end, short, ExpiryIdle
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

func (r *Refusal) String() string {
	if r.PerClient {
		return "too many connections from " + r.Client + " (at most " + strconv.Itoa(r.Max) + " per address)"
	}
	return "too many connections (at most " + strconv.Itoa(r.Max) + ")"
}

// IPString is an IP address as text, "" for none (a connection that is
// not TCP).
func IPString(ip net.IP) string {
	if ip == nil {
		return ""
	}
	return ip.String()
}

// TimeLimit is the limit behind the latest read deadline.
func (c *Conn) TimeLimit() time.Duration {
	switch c.expiry {
	case ExpiryLine:
		return c.srv.limits.LineTimeout
	case ExpirySession:
		return c.srv.limits.MaxSession
	}
	return c.idle
}

// DescribeTimeout says which time limit ended a session, for the log.
func (c *Conn) DescribeTimeout() string {
	switch c.expiry {
	case ExpiryLine:
		return "a command line took more than " + c.TimeLimit().String()
	case ExpirySession:
		return "session longer than " + c.TimeLimit().String()
	}
	if c.idle < c.baseIdle() {
		return "idle for " + c.idle.String() + " while the listener is busy"
	}
	return "idle for " + c.idle.String()
}
