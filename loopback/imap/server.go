package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailsh/mailsh/loopback"
)

// Server serves IMAP over a loopback server's Store and accounts. Make
// one with New; Start or Serve listeners; Shutdown or Close ends it.
type Server struct {
	lb    *loopback.Server
	store *loopback.Store

	// go-imap decides whether a login may be sent in clear text per
	// server, not per connection: clients on this machine go to the
	// lenient one, others to the strict one, which says LOGINDISABLED
	// until STARTTLS (RFC 2595 §3.1, RFC 9051 §6.2.3).
	lenient, strict *handoff

	folders sync.Map      // folder directory to *folderState
	gens    atomic.Uint64 // the last generation of a listing (nextGen)

	nextID atomic.Int64

	mu        sync.Mutex
	closing   bool
	listeners map[net.Listener]bool
	sessions  map[*session]bool
	wg        sync.WaitGroup
}

// Services. IMAP upgrades to TLS with STARTTLS (RFC 9051 §6.2.1); IMAPS
// starts with TLS (RFC 8314 §3.3). This package runs their listeners
// itself (Start), over loopback's AcceptLoop and Admit: the services
// name the connection budgets and the log.
var (
	Service    = &loopback.Service{Name: "imap"}
	ServiceTLS = &loopback.Service{Name: "imaps", ImplicitTLS: true}
)

// caps are the capabilities offered beside those go-imap adds by itself
// (SASL-IR, LITERAL-, STARTTLS, AUTH=PLAIN or LOGINDISABLED, UNSELECT,
// ENABLE, IDLE).
var caps = imap.CapSet{
	imap.CapIMAP4rev1:   {},
	imap.CapIMAP4rev2:   {},
	imap.CapNamespace:   {},
	imap.CapUIDPlus:     {},
	imap.CapMove:        {},
	imap.CapLiteralPlus: {},
	imap.CapStatusSize:  {},
}

// New returns an IMAP server over lb's Store and accounts.
func New(lb *loopback.Server) *Server {
	s := &Server{
		lb:        lb,
		store:     lb.Store(),
		listeners: map[net.Listener]bool{},
		sessions:  map[*session]bool{},
	}
	mk := func(lenient bool) *handoff {
		h := newHandoff()
		srv := imapserver.New(&imapserver.Options{
			NewSession:   s.newSession,
			Caps:         caps,
			Logger:       logger{lb},
			TLSConfig:    lb.TLSConfig(),
			InsecureAuth: lenient,
		})
		h.srv = srv
		go srv.Serve(h)
		return h
	}
	s.lenient, s.strict = mk(true), mk(false)
	return s
}

// Start listens on the addresses a gives this package's services
// (Service: IMAP with STARTTLS; ServiceTLS: IMAPS, RFC 8314), either of
// which may be absent or "" for none, and serves them in the background.
// It returns the addresses bound, keyed by service, with the port the
// system chose where one asked for port 0.
func (s *Server) Start(a loopback.Addrs) (loopback.Addrs, error) {
	for svc := range a {
		if svc != Service && svc != ServiceTLS {
			return nil, fmt.Errorf("%s is not served by the IMAP server", svc)
		}
	}
	if a[ServiceTLS] != "" && s.lb.TLSConfig() == nil {
		return nil, errors.New("implicit TLS needs a certificate")
	}
	bound := loopback.Addrs{}
	ls := map[*loopback.Service]net.Listener{}
	for _, svc := range []*loopback.Service{Service, ServiceTLS} {
		if a[svc] == "" {
			continue
		}
		l, err := net.Listen("tcp", a[svc])
		if err != nil {
			for _, l := range ls {
				l.Close()
			}
			return nil, err
		}
		ls[svc], bound[svc] = l, l.Addr().String()
	}
	for svc, l := range ls {
		go func() {
			if err := s.Serve(l, svc); err != nil {
				s.lb.Logf("%s listener on %s stopped: %v", svc, l.Addr(), err)
			}
		}()
	}
	return bound, nil
}

// Serve accepts connections on l until it is closed or Shutdown is
// called, each counted against the listener's budget (the same limits
// as the other protocols: --max-connections, --max-client-connections).
// svc is Service, or ServiceTLS to start TLS at once (IMAPS).
func (s *Server) Serve(l net.Listener, svc *loopback.Service) error {
	if svc != Service && svc != ServiceTLS {
		return fmt.Errorf("%s is not served by the IMAP server", svc)
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	s.listeners[l] = true
	s.mu.Unlock()
	return loopback.AcceptLoop(l, s.isClosing, s.lb.Logf, func(nc net.Conn) {
		s.wg.Add(1)
		go s.admit(nc, svc)
	})
}

// admit counts a connection against the budget, refuses it with a BYE
// if the budget is spent, and hands it to go-imap otherwise.
func (s *Server) admit(nc net.Conn, svc *loopback.Service) {
	ip := remoteIP(nc)
	release, refusal, drop := s.lb.Admit(svc, ip)
	lim := s.lb.Limits()
	tc := &trackedConn{Conn: nc, release: release, end: time.Now().Add(lim.MaxSession), wg: &s.wg,
		idle: lim.Idle, stressIdle: lim.StressIdle, stressed: func() bool { return s.lb.UnderStress(svc) }}
	if drop {
		tc.Close()
		return
	}
	if refusal != "" {
		// RFC 9051 §7.1.5: BYE when the server refuses a connection.
		nc.SetWriteDeadline(time.Now().Add(lim.StressIdle))
		nc.Write([]byte("* BYE [UNAVAILABLE] " + refusal + ", try again later\r\n"))
		s.lb.Logf("%s from %s: refused: %s", svc, nc.RemoteAddr(), refusal)
		tc.Close()
		return
	}
	// Fault rules at imap.connect (the client's address is the subject);
	// a refusal is a BYE, as above. For IMAPS it comes before the
	// handshake, as a closed port would.
	var n loopback.FaultCounts
	o := checkFaults(s.lb.Faults(), "imap.connect", ipText(ip), &n)
	if o.Delay > 0 {
		s.lb.Wait(o.Delay)
	}
	switch {
	case o.Drop:
		s.lb.Logf("%s from %s: fault rule %q drops the connection", svc, nc.RemoteAddr(), o.Spec)
		tc.Close()
		return
	case o.Reply != nil:
		code := ""
		if o.Reply.Code != "" {
			code = "[" + o.Reply.Code + "] "
		}
		nc.SetWriteDeadline(time.Now().Add(lim.StressIdle))
		nc.Write([]byte("* BYE " + code + o.Reply.Text + "\r\n"))
		s.lb.Logf("%s from %s: fault rule %q refuses the connection", svc, nc.RemoteAddr(), o.Spec)
		tc.Close()
		return
	}
	var conn net.Conn = tc
	if svc.ImplicitTLS {
		t := tls.Server(tc, s.lb.TLSConfig())
		t.SetDeadline(time.Now().Add(lim.TLSHandshakeTimeout))
		if err := t.Handshake(); err != nil {
			s.lb.Logf("%s from %s: TLS handshake failed: %v", svc, nc.RemoteAddr(), err)
			tc.Close()
			return
		}
		t.SetDeadline(time.Time{})
		conn = t
	}
	h := s.strict
	if _, isTLS := conn.(*tls.Conn); !isTLS && ip != nil && ip.IsLoopback() && !s.lb.RequireTLS() {
		h = s.lenient
	}
	if !h.give(conn) {
		conn.Close()
	}
}

// Shutdown stops accepting connections and says BYE to every session
// (RFC 9051 §7.1.5), then waits until they have ended or ctx is done, when
// it closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for l := range s.listeners {
		l.Close()
	}
	var open []*session
	for ss := range s.sessions {
		open = append(open, ss)
	}
	s.mu.Unlock()
	for _, ss := range open {
		go ss.conn.Bye("Server shutting down")
	}
	finished := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(finished)
	}()
	select {
	case <-finished:
	case <-ctx.Done():
	}
	s.lenient.close()
	s.strict.close()
	<-finished
	return ctx.Err()
}

// Close stops the server at once, dropping every connection.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Shutdown(ctx)
	return nil
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// handoff is a listener that go-imap serves, fed with connections this
// package accepted and admitted.
type handoff struct {
	srv   *imapserver.Server
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	// serving is closed at go-imap's first Accept: its Serve has then
	// counted itself in the WaitGroup its Close waits on, which must not
	// happen while Close waits (sync.WaitGroup's rule).
	serving     chan struct{}
	servingOnce sync.Once
}

func newHandoff() *handoff {
	return &handoff{conns: make(chan net.Conn), done: make(chan struct{}), serving: make(chan struct{})}
}

func (h *handoff) give(c net.Conn) bool {
	select {
	case h.conns <- c:
		return true
	case <-h.done:
		return false
	}
}

func (h *handoff) Accept() (net.Conn, error) {
	h.servingOnce.Do(func() { close(h.serving) })
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) close() {
	<-h.serving
	h.Close()
	h.srv.Close()
}

func (h *handoff) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// trackedConn gives a connection's slot in the budget back when it
// closes, and holds every read to the session's end (MaxSession), since
// go-imap sets its own idle timeouts. While corked, it gathers what is
// written and sends it in large writes (see cork).
type trackedConn struct {
	net.Conn
	release func()
	end     time.Time
	wg      *sync.WaitGroup
	once    sync.Once
	// go-imap sets each read deadline itself, from its own timers; idle
	// (--idle-timeout) caps it, and so does stressIdle while the listener
	// is under stress, as for SMTP and POP3.
	idle, stressIdle time.Duration
	stressed         func() bool

	wmu    sync.Mutex // over the writes and the fields below
	corked bool
	buf    []byte // written while corked, not yet sent
	werr   error  // the error of a write while corked
	// The write deadline last set while corked, for the connection's
	// next write (dl set: there is one).
	dl    time.Time
	dlSet bool
}

// corkSize is how much a corked connection gathers before it writes.
const corkSize = 64 << 10

// corkFlushTimeout bounds the write of what uncork sends, as go-imap
// bounds each response's (respWriteTimeout).
const corkFlushTimeout = 30 * time.Second

// cork gathers what is written from now on, until uncork, and sends it
// corkSize octets at a time. go-imap flushes each response it writes, so
// that a FETCH of 10,000 messages would otherwise make at least 10,000
// writes (system calls, and as many segments for the client to read).
func (c *trackedConn) cork() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.corked = true
	if c.buf == nil {
		c.buf = make([]byte, 0, corkSize)
	}
}

// uncork sends what was gathered and writes through again. It returns
// the error of any write since cork.
func (c *trackedConn) uncork() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// The deadline set last while corked is the connection's from now on.
	dl, dlSet := c.dl, c.dlSet
	c.dlSet = false
	if len(c.buf) > 0 && c.werr == nil {
		c.Conn.SetWriteDeadline(time.Now().Add(corkFlushTimeout))
		c.flushLocked()
		if !dlSet {
			c.Conn.SetWriteDeadline(time.Time{})
		}
	}
	if dlSet {
		c.Conn.SetWriteDeadline(dl)
	}
	err := c.werr
	c.corked, c.buf, c.werr = false, nil, nil
	return err
}

// SetWriteDeadline sets the deadline of the writes to come; while corked,
// that of the next write to the connection, when what was gathered is
// sent. go-imap sets a deadline before each response and clears it after,
// twice for each message of a FETCH, and a deadline costs a timer's
// change in the runtime, while a corked write only gathers.
func (c *trackedConn) SetWriteDeadline(t time.Time) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.corked {
		c.dl, c.dlSet = t, true
		return nil
	}
	return c.Conn.SetWriteDeadline(t)
}

// deadlineLocked gives the connection the write deadline set while
// corked, before a write to it; the caller holds wmu.
func (c *trackedConn) deadlineLocked() {
	if c.dlSet {
		c.Conn.SetWriteDeadline(c.dl)
		c.dlSet = false
	}
}

// flushLocked writes what was gathered; the caller holds wmu.
func (c *trackedConn) flushLocked() error {
	if c.werr != nil {
		return c.werr
	}
	c.deadlineLocked()
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	c.werr = err
	return err
}

func (c *trackedConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.corked {
		return c.Conn.Write(p)
	}
	if c.werr != nil {
		return 0, c.werr
	}
	if len(c.buf)+len(p) > cap(c.buf) {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) >= cap(c.buf) {
			c.deadlineLocked()
			n, err := c.Conn.Write(p)
			c.werr = err
			return n, err
		}
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

func (c *trackedConn) Close() error {
	// What a corked connection gathered goes out first (a BYE written
	// during a FETCH), unless a write is under way: one that blocks on a
	// client that does not read must not hold the close up.
	if c.wmu.TryLock() {
		if c.corked && len(c.buf) > 0 {
			c.dlSet = false
			c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
			c.flushLocked()
		}
		c.wmu.Unlock()
	}
	err := c.Conn.Close()
	c.once.Do(func() {
		c.release()
		c.wg.Done()
	})
	return err
}

func (c *trackedConn) SetReadDeadline(t time.Time) error {
	if t.IsZero() || t.After(c.end) {
		t = c.end
	}
	if c.idle > 0 {
		if limit := time.Now().Add(c.idle); t.After(limit) {
			t = limit
		}
	}
	if c.stressed != nil && c.stressed() {
		if limit := time.Now().Add(c.stressIdle); t.After(limit) {
			t = limit
		}
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *trackedConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func remoteIP(nc net.Conn) net.IP {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// logger passes go-imap's error messages to the session log.
type logger struct{ lb *loopback.Server }

func (l logger) Printf(format string, args ...any) { l.lb.Logf("imap: "+format, args...) }

// trackedOf returns the trackedConn under a session's connection, under
// TLS or not; nil if there is none.
func trackedOf(nc net.Conn) *trackedConn {
	if t, ok := nc.(*tls.Conn); ok {
		nc = t.NetConn()
	}
	tc, _ := nc.(*trackedConn)
	return tc
}

// ipText is an address as fault patterns match it; "" when unknown.
func ipText(ip net.IP) string {
	if ip == nil {
		return ""
	}
	return ip.String()
}
