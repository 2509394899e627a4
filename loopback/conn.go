package loopback

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// Conn is the core every line-based session stands on, whatever its
// protocol: the connection with its buffered reader of bounded lines, its
// buffered writer, its deadlines, the TLS upgrade, and the hooks that let
// Shutdown reach a session waiting for a command. A protocol package's
// session holds one (Protocol.Session).
type Conn struct {
	srv *Server
	raw net.Conn // the TCP connection, for deadlines and Close
	nc  net.Conn // raw, or the TLS connection over it
	svc *Service
	id  int64

	br  *bufio.Reader
	lr  *proto.LineReader
	bw  *bufio.Writer
	tls *tls.ConnectionState

	// Time limits. idle is the idle timeout of the latest read: the
	// protocol's, or StressIdle while the listener is under stress.
	idle      time.Duration
	started   time.Time // the session's start, for MaxSession
	inCommand bool      // reading a command line
	lineStart time.Time // its first octet's arrival, zero before; for LineTimeout

	mu           sync.Mutex
	waiting      bool      // blocked reading the next command
	stop         bool      // Shutdown asked the session to end at its next command
	readDeadline time.Time // the deadline of the latest read
	expiry       Expiry    // which limit set it
}

// Expiry names the time limit a read deadline comes from, so that the
// reply to a timeout says which limit the client met.
type Expiry int

const (
	ExpiryIdle    Expiry = iota // silence: the protocol's idle timeout or StressIdle
	ExpiryLine                  // one command line took LineTimeout
	ExpirySession               // the whole session took MaxSession
)

// Errors of the connection.
var (
	// ErrShutdown: the server is shutting down.
	ErrShutdown = errors.New("server shutting down")
	// ErrDrop: a fault rule (or a protocol error) ends the connection
	// without a reply.
	ErrDrop = errors.New("connection dropped")
	// ErrQuit: the session ended normally.
	ErrQuit = errors.New("session ended")
	// ErrClosing: the session sent its last reply and closes.
	ErrClosing = errors.New("closing after the reply")
)

// serve runs the session and tidies up after it.
func (c *Conn) serve() {
	defer c.srv.forget(c)
	defer c.release()
	defer func() { c.nc.Close() }()
	defer func() {
		// A bug must not take the whole server down; the session ends.
		if r := recover(); r != nil {
			c.Logf("internal error: %v", r)
			if c.bw != nil {
				c.bw.WriteString(c.svc.Protocol.InternalError)
				c.bw.Flush()
			}
		}
	}()
	release, refused, drop := c.srv.admit(c.svc, c.RemoteIP())
	defer release()
	if drop {
		return
	}
	c.started = time.Now()
	c.idle = c.baseIdle()
	if refused != nil {
		// A refused client is told why at once, and gets no more time
		// than a session under stress.
		c.idle = min(c.idle, c.srv.limits.StressIdle)
	}
	c.setup(c.nc)
	if c.svc.ImplicitTLS {
		if err := c.StartTLS(); err != nil {
			c.Logf("%s from %s: TLS handshake failed: %v", c.svc, c.nc.RemoteAddr(), err)
			return
		}
	}
	c.svc.Protocol.Session(c, refused)
}

// baseIdle is the protocol's idle timeout.
func (c *Conn) baseIdle() time.Duration { return c.svc.Protocol.Idle(c.srv.limits) }

// nextDeadline is when the read about to start must end, and which limit
// says so: the idle timeout (short under stress), the time left for the
// command line being read, or the time left for the session. Called with
// c.mu held.
func (c *Conn) nextDeadline(now time.Time) (time.Time, Expiry) {
	lim := &c.srv.limits
	c.idle = c.baseIdle()
	if c.srv.underStress(c.svc) {
		c.idle = min(c.idle, lim.StressIdle)
	}
	d, why := now.Add(c.idle), ExpiryIdle
	if c.inCommand && !c.lineStart.IsZero() {
		if l := c.lineStart.Add(lim.LineTimeout); l.Before(d) {
			d, why = l, ExpiryLine
		}
	}
	if e := c.started.Add(lim.MaxSession); e.Before(d) {
		d, why = e, ExpirySession
	}
	return d, why
}

// setup puts the buffered reader and writer over nc. A new reader after
// an upgrade to TLS drops whatever plain text was buffered, so that
// nothing a client sent before the handshake is taken as sent after it
// (CVE-2011-0411, RFC 3207 §6).
func (c *Conn) setup(nc net.Conn) {
	c.nc = nc
	if c.br == nil {
		c.br, c.bw = readers.Get().(*bufio.Reader), writers.Get().(*bufio.Writer)
	}
	c.br.Reset(timedReader{c}) // and drop what was buffered
	c.bw.Reset(timedWriter{c})
	c.lr = proto.NewLineReader(c.br)
	c.lr.Max = c.svc.Protocol.MaxLine
}

// readers and writers keep the buffers of ended sessions for the next:
// 128 KB are not allocated and cleared anew for each of thousands of
// short sessions (smtp-source's, one message each).
var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}
)

// release gives the buffers back once the session has ended.
func (c *Conn) release() {
	if c.br == nil {
		return
	}
	c.br.Reset(nil)
	c.bw.Reset(nil)
	readers.Put(c.br)
	writers.Put(c.bw)
	c.br, c.bw, c.lr = nil, nil, nil
}

// StartTLS starts TLS as the server: at once on an implicit-TLS service,
// or after the protocol's upgrade command was answered and its reply
// flushed. The command line's bound is the protocol's again after it.
func (c *Conn) StartTLS() error {
	tc := tls.Server(c.nc, c.srv.cfg.TLS)
	// A client that connects and says nothing must not hold a session
	// for long: the handshake has TLSHandshakeTimeout, not the idle
	// timeout.
	tc.SetDeadline(time.Now().Add(c.srv.limits.TLSHandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		return err
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.tls = &st
	c.setup(tc)
	return nil
}

// timedReader reads from the connection with the idle timeout applied to
// each read, so that the limit counts silence, not the length of a long
// transfer (as RFC 5321 §4.5.3.2.7 sets the timeouts, per command and
// per block of data). A command line must also arrive whole within
// LineTimeout of its first octet, and the session end within MaxSession,
// so that an octet every few seconds does not hold a session for ever.
type timedReader struct{ c *Conn }

func (r timedReader) Read(p []byte) (int, error) {
	c := r.c
	c.mu.Lock()
	if c.waiting && c.stop {
		c.mu.Unlock()
		return 0, ErrShutdown
	}
	c.readDeadline, c.expiry = c.nextDeadline(time.Now())
	c.raw.SetReadDeadline(c.readDeadline)
	c.mu.Unlock()
	n, err := c.nc.Read(p)
	if n > 0 && c.inCommand && c.lineStart.IsZero() {
		c.lineStart = time.Now()
	}
	if err != nil {
		c.mu.Lock()
		if c.waiting && c.stop {
			err = ErrShutdown
		}
		c.mu.Unlock()
	}
	return n, err
}

// timedWriter bounds each write, so that a client that stops reading
// cannot hold a session forever.
type timedWriter struct{ c *Conn }

func (w timedWriter) Write(p []byte) (int, error) {
	w.c.raw.SetWriteDeadline(time.Now().Add(w.c.idle))
	return w.c.nc.Write(p)
}

// ReadCommand reads the next command line. While it waits, Shutdown may
// end the wait with ErrShutdown. Replies are flushed first unless more
// pipelined commands are already buffered (RFC 2920 §3.1, RFC 2449 §6.6:
// a server may hold replies while commands are pending).
func (c *Conn) ReadCommand() (string, error) {
	if c.br.Buffered() == 0 {
		if err := c.bw.Flush(); err != nil {
			return "", err
		}
	}
	c.mu.Lock()
	if c.stop {
		c.mu.Unlock()
		return "", ErrShutdown
	}
	c.waiting = true
	c.mu.Unlock()
	// The line's clock starts with its first octet, which may be
	// buffered already (pipelining).
	c.inCommand, c.lineStart = true, time.Time{}
	if c.br.Buffered() > 0 {
		c.lineStart = time.Now()
	}
	line, err := c.lr.ReadLine()
	c.inCommand = false
	c.mu.Lock()
	c.waiting = false
	if err != nil && c.stop {
		err = ErrShutdown
	}
	c.mu.Unlock()
	if err != nil {
		return "", err
	}
	return string(line), nil
}

// interrupt asks the session to end at its next command, and ends the
// wait of one that is waiting now.
func (c *Conn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stop = true
	if c.waiting {
		c.raw.SetReadDeadline(time.Now())
	}
}

// Sleep flushes the replies and waits d, or less if the server shuts
// down. It is how fault rules delay replies.
func (c *Conn) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	c.bw.Flush()
	if c.srv.cfg.sleepHook != nil {
		c.srv.cfg.sleepHook(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.srv.done:
	}
}

// IsTimeout reports whether err is a read or write deadline passing.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// RemoteIP returns the client's IP address.
func (c *Conn) RemoteIP() net.IP {
	if a, ok := c.raw.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// LocalIP returns the address the client connected to.
func (c *Conn) LocalIP() net.IP {
	if a, ok := c.raw.LocalAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// LoginAllowed reports whether credentials may be sent now: under TLS
// always; in clear text only from this machine, where they cross no
// network (as in the lecture), and never with RequireTLS. A connection
// that is not TCP, such as a pipe, is local.
func (c *Conn) LoginAllowed() bool {
	if c.tls != nil {
		return true
	}
	ip := c.RemoteIP()
	return !c.srv.cfg.RequireTLS && (ip == nil || ip.IsLoopback())
}

// TLSDescription names the TLS version and cipher, for the log and trace
// fields; "" without TLS.
func (c *Conn) TLSDescription() string {
	if c.tls == nil {
		return ""
	}
	return fmt.Sprintf("%s with %s", tls.VersionName(c.tls.Version), tls.CipherSuiteName(c.tls.CipherSuite))
}

// Logf writes a line to the session log, naming the service and the
// session.
func (c *Conn) Logf(format string, args ...any) {
	c.srv.logf("%s#%d "+format, append([]any{c.svc, c.id}, args...)...)
}

// Server returns the server the connection came to.
func (c *Conn) Server() *Server { return c.srv }

// Service returns the service the connection came to.
func (c *Conn) Service() *Service { return c.svc }

// RemoteAddr returns the client's address.
func (c *Conn) RemoteAddr() net.Addr { return c.raw.RemoteAddr() }

// Reader returns the buffered reader of the connection, for data that
// is counted rather than read by lines (a chunk of known size).
func (c *Conn) Reader() *bufio.Reader { return c.br }

// Lines returns the reader of bounded lines; a session may change its
// Max while it reads something other than command lines.
func (c *Conn) Lines() *proto.LineReader { return c.lr }

// Writer returns the buffered writer of replies; ReadCommand flushes it.
func (c *Conn) Writer() *bufio.Writer { return c.bw }

// TLS returns the state of the TLS connection, nil before TLS.
func (c *Conn) TLS() *tls.ConnectionState { return c.tls }

// Idle returns the idle timeout of the latest read.
func (c *Conn) Idle() time.Duration { return c.idle }

// Expiry returns the time limit behind the latest read deadline.
func (c *Conn) Expiry() Expiry { return c.expiry }
