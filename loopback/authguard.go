package loopback

import (
	"net"
	"sync"
	"time"
)

// authGuard makes password guessing slow. Each failed login from a client
// address waits before its reply: AuthFailureDelay the first time,
// doubling with each further failure from that address up to
// MaxAuthFailureDelay (Dovecot's auth penalty works the same way, from 2 s
// to 15 s). The logins of one address are checked one at a time and the
// wait holds that turn, so that neither parallel connections nor hanging
// up before the reply guess any faster: an address gets at most one wrong
// guess per delay. A correct login is not delayed, unless it waits for its
// turn behind the address's failures. Failures are forgotten an hour after
// the address's last one, as Dovecot's penalty expires; a correct login
// does not forget them, so that an account one knows cannot be used to
// wipe the slate between guesses at another.
type authGuard struct {
	mu      sync.Mutex
	clients map[string]*authClient // by clientKey
}

// authClient is one address's record.
type authClient struct {
	turn     chan struct{} // holds a token while one of its logins is checked
	failures int           // recent failures
	last     time.Time     // the latest failure
	users    int           // sessions checking or waiting for the turn
}

const (
	// authForget is how long after its last failure an address's
	// failures are forgotten.
	authForget = time.Hour
	// authClientsMax bounds the addresses remembered; past it, those with
	// no session at the door are forgotten.
	authClientsMax = 100000
)

// CheckLogin runs check, which compares credentials and reports whether
// they were right, in the client address's turn. After a failure it
// waits the address's delay, which it returns, before giving the turn
// on. err is ErrShutdown if the server began to shut down while the
// login waited for its turn.
func (c *Conn) CheckLogin(check func() bool) (ok bool, delay time.Duration, err error) {
	return c.srv.guardLogin(c.RemoteIP(), check, c.Sleep)
}

// guardLogin is checkLogin for a client at ip, waiting with sleep.
func (s *Server) guardLogin(ip net.IP, check func() bool, sleep func(time.Duration)) (ok bool, delay time.Duration, err error) {
	g := &s.auth
	key := clientKey(ip)
	ac := g.enter(key)
	defer g.leave(key, ac)
	select {
	case ac.turn <- struct{}{}:
	case <-s.done:
		return false, 0, ErrShutdown
	}
	defer func() { <-ac.turn }()
	if check() {
		return true, 0, nil
	}
	n := g.fail(ac, s.now())
	delay = failureDelay(s.limits, n)
	sleep(delay)
	return false, delay, nil
}

// now is the time, as the login guard reads it.
func (s *Server) now() time.Time {
	if s.cfg.clock != nil {
		return s.cfg.clock()
	}
	return time.Now()
}

// failureDelay is the wait after an address's nth recent failure.
func failureDelay(l Limits, n int) time.Duration {
	d := l.AuthFailureDelay
	for i := 1; i < n && d < l.MaxAuthFailureDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxAuthFailureDelay)
}

// enter finds or makes an address's record and counts a session at it.
func (g *authGuard) enter(key string) *authClient {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.clients == nil {
		g.clients = map[string]*authClient{}
	}
	ac := g.clients[key]
	if ac == nil {
		if len(g.clients) >= authClientsMax {
			for k, old := range g.clients {
				if old.users == 0 {
					delete(g.clients, k)
				}
			}
		}
		ac = &authClient{turn: make(chan struct{}, 1)}
		g.clients[key] = ac
	}
	ac.users++
	return ac
}

// leave counts a session out, and forgets a record with nothing to keep.
func (g *authGuard) leave(key string, ac *authClient) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ac.users--
	if ac.users == 0 && ac.failures == 0 {
		delete(g.clients, key)
	}
}

// fail records a failure at now and returns the address's recent count.
func (g *authGuard) fail(ac *authClient, now time.Time) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(ac.last) > authForget {
		ac.failures = 0
	}
	ac.failures++
	ac.last = now
	return ac.failures
}
