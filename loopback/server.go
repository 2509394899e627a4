package loopback

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is what the served protocols share: the accounts and the login
// guard, the connection budgets and limits, the TLS configuration, the
// fault rules and the Store, and the connections its listeners accepted.
// Its zero value is not usable; make one with New.
type Server struct {
	cfg      Config
	limits   Limits
	accounts map[string]Account // by lower-case name
	faults   *Faults

	nextID atomic.Int64
	// budgets count the connections now, by Service. Their own lock:
	// a session's reads ask for theirs while holding the session's.
	budgetsMu sync.Mutex
	budgets   map[*Service]*budget
	auth      authGuard // failed logins, by client address

	mu        sync.Mutex
	closing   bool
	done      chan struct{} // closed when shutdown begins
	listeners map[net.Listener]bool
	conns     map[*Conn]bool
	wg        sync.WaitGroup
}

// New checks cfg and returns a server ready to Serve listeners.
func New(cfg Config) (*Server, error) {
	if cfg.Domain == "" {
		cfg.Domain = DefaultDomain
	}
	if cfg.Store == nil {
		return nil, errors.New("loopback: no Store given")
	}
	if len(cfg.Accounts) == 0 {
		return nil, errors.New("loopback: no account given")
	}
	s := &Server{
		cfg:       cfg,
		limits:    cfg.Limits.withDefaults(),
		accounts:  map[string]Account{},
		faults:    cfg.Faults,
		budgets:   map[*Service]*budget{},
		done:      make(chan struct{}),
		listeners: map[net.Listener]bool{},
		conns:     map[*Conn]bool{},
	}
	if s.faults == nil {
		s.faults = &Faults{}
	}
	if n := s.faults.MaxConnections(); n > 0 && n < s.limits.MaxConnections {
		s.limits.MaxConnections = n
	}
	for _, a := range cfg.Accounts {
		key := strings.ToLower(a.Name)
		if _, dup := s.accounts[key]; dup {
			return nil, fmt.Errorf("loopback: account %q given twice", a.Name)
		}
		if err := cfg.Store.ensure(a.Name); err != nil {
			return nil, err
		}
		s.accounts[key] = a
	}
	if cfg.CatchAll != "" {
		if _, ok := s.accounts[strings.ToLower(cfg.CatchAll)]; !ok {
			return nil, fmt.Errorf("loopback: --catch-all %q is not an account", cfg.CatchAll)
		}
	}
	if cfg.Store.Logf == nil {
		cfg.Store.Logf = s.logf
	}
	return s, nil
}

// Domain returns the served domain.
func (s *Server) Domain() string { return s.cfg.Domain }

// Serve accepts connections on l and serves svc on each, until l is
// closed or Shutdown is called. It returns nil after Shutdown.
func (s *Server) Serve(l net.Listener, svc *Service) error {
	if svc.Protocol == nil {
		return fmt.Errorf("loopback: %s is served by a package of its own", svc)
	}
	if svc.ImplicitTLS && s.cfg.TLS == nil {
		return errors.New("loopback: implicit TLS needs a certificate")
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	s.listeners[l] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	stopping := func() bool {
		select {
		case <-s.done:
			return true
		default:
			return false
		}
	}
	return AcceptLoop(l, stopping, s.logf, func(nc net.Conn) {
		if c := s.newConn(nc, svc); c != nil {
			go c.serve()
		}
	})
}

// ServeConn serves one connection to its end, as Serve does for each
// (fuzzers feed it a net.Pipe).
func (s *Server) ServeConn(nc net.Conn, svc *Service) {
	if c := s.newConn(nc, svc); c != nil {
		c.serve()
	}
}

// newConn registers a connection, or refuses it if the server is shutting
// down.
func (s *Server) newConn(nc net.Conn, svc *Service) *Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		nc.Close()
		return nil
	}
	c := &Conn{srv: s, raw: nc, nc: nc, svc: svc, id: s.nextID.Add(1)}
	s.conns[c] = true
	s.wg.Add(1)
	return c
}

func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.wg.Done()
}

// Shutdown stops the server gracefully: it stops accepting connections,
// ends the wait of sessions waiting for a command (each protocol says so
// in its own words), and lets a message being transferred finish, until
// ctx ends.
// Then it closes what is left: a message cut off that way was never
// acknowledged and is not delivered.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop(func(c *Conn) { c.interrupt() })
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
	}
	s.Close()
	<-finished
	return ctx.Err()
}

// stop closes the listeners, so that no connection is accepted any more,
// and applies each to the open connections.
func (s *Server) stop(each func(*Conn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closing {
		s.closing = true
		close(s.done)
	}
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		each(c)
	}
}

// Close stops the server at once, dropping every connection.
func (s *Server) Close() error {
	s.stop(func(c *Conn) { c.raw.Close() })
	return nil
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// account finds an account by name, in any case.
func (s *Server) account(name string) (Account, bool) {
	a, ok := s.accounts[strings.ToLower(name)]
	return a, ok
}

// checkPassword compares in constant time, so that timing tells nothing
// of the password.
func (s *Server) checkPassword(name, pass string) (Account, bool) {
	a, ok := s.account(name)
	if !ok {
		// Compare anyway, so that an unknown name takes as long.
		subtle.ConstantTimeCompare([]byte(pass), []byte("\x00no such account"))
		return Account{}, false
	}
	return a, subtle.ConstantTimeCompare([]byte(pass), []byte(a.Password)) == 1
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		s.cfg.Log.Printf(format, args...)
	}
}
