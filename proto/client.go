package proto

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Client is one session over a connection, in the protocol its Spec
// says. A goroutine reads the server's replies as they arrive, so that a
// reply the client did not ask for (a 421 before an idle timeout) is seen
// at once; commands wait for their replies with a timeout.
type Client struct {
	// Machine follows the session's state. It is set once the greeting has been
	// read (the protocol may be taken from it).
	Machine *Machine
	// Timeout bounds the wait for each reply and each write.
	Timeout time.Duration
	// TLSConfig is used for STARTTLS and STLS.
	TLSConfig *tls.Config
	// KeepSecrets makes events carry secret lines as sent in Event.Raw,
	// besides the redacted Text.
	KeepSecrets bool

	conn    net.Conn
	lr      *LineReader
	bw      *bufio.Writer
	proto   Protocol
	observe func(Event)
	// protocols are what a greeting may be, when proto is not known.
	protocols Registry

	// Lines of message text have no reply: they wait in bw and go out a
	// buffer at a time, or textDelay after the last one (textTimer), so
	// that a person typing a message is not left behind by the server's
	// idle timeout. wmu guards bw against that timer.
	wmu         sync.Mutex
	textTimer   *time.Timer
	textPending bool

	mu      sync.Mutex
	waiting int
	botched error

	replies  chan replyMsg
	done     chan struct{} // closed when the reader stops
	readErr  error         // why the reader stopped, set before done closes
	tlsState *tls.ConnectionState
	tlsStop  bool // the reader stopped for a TLS handshake

	localClose atomic.Bool  // mailsh closed the connection itself
	lastRead   atomic.Int64 // when octets last arrived, in Unix ns
	readAt     time.Time    // the same, for the reader goroutine's events
	rawWindow  atomic.Bool  // SendRaw is showing what comes back
}

type replyMsg struct {
	rep *Reply
	err error
}

// NewClient starts a session of protocol p on conn; to take the protocol
// from the greeting, use NewClientOf with the protocols it may be.
// observe, if not nil, receives every event; it is called from two
// goroutines, never at once.
func NewClient(conn net.Conn, p Protocol, observe func(Event)) *Client {
	return newClient(conn, p, observe, nil)
}

// NewClientOf is NewClient with the protocols a greeting may be, for p
// nil ("220" is SMTP's, "+OK" POP3's, "* OK" IMAP's; raw line mode takes
// the rest when it is among them).
func NewClientOf(conn net.Conn, p Protocol, observe func(Event), reg Registry) *Client {
	return newClient(conn, p, observe, reg)
}

func newClient(conn net.Conn, p Protocol, observe func(Event), reg Registry) *Client {
	c := &Client{
		Timeout:   30 * time.Second,
		conn:      conn,
		proto:     p,
		protocols: reg,
		replies:   make(chan replyMsg, 16),
	}
	var mu sync.Mutex
	c.observe = func(e Event) {
		if observe != nil {
			mu.Lock()
			observe(e)
			mu.Unlock()
		}
	}
	if p != nil {
		c.Machine = NewMachine(p)
	}
	if tc, ok := conn.(*tls.Conn); ok {
		st := tc.ConnectionState()
		c.tlsState = &st
		if c.Machine != nil {
			c.Machine.SetTLS()
		}
	}
	c.mu.Lock()
	if p == nil || !p.Spec().Unframed {
		c.waiting = 1 // the greeting
	}
	c.mu.Unlock()
	// Said before the reader starts, so that it comes before the
	// greeting, which was read over the TLS it describes.
	if c.tlsState != nil {
		c.Note("TLS started: %s", DescribeTLS(c.tlsState))
	}
	c.startReader()
	return c
}

// arrived notes that octets came from the server, for the timeouts,
// which count silence, and for the time of the events they make.
func (c *Client) arrived() {
	c.readAt = time.Now()
	c.lastRead.Store(c.readAt.UnixNano())
}

// Conn returns the connection in use (a *tls.Conn after STARTTLS).
func (c *Client) Conn() net.Conn { return c.conn }

// TLS returns the state of the TLS connection, or nil.
func (c *Client) TLS() *tls.ConnectionState { return c.tlsState }

// Note reports a remark of mailsh's own to the observer.
func (c *Client) Note(format string, args ...any) {
	c.observe(Event{Time: time.Now(), Dir: Note, Text: fmt.Sprintf(format, args...)})
}

func (c *Client) startReader() {
	c.lr = NewLineReader(bufio.NewReaderSize(newLineCap(c.conn, c.arrived), lineBufSize))
	c.bw = bufio.NewWriterSize(c.conn, 64<<10)
	c.done = make(chan struct{})
	go c.readLoop()
}

// readLoop reads replies until the connection ends or a TLS handshake
// needs the connection.
func (c *Client) readLoop() {
	defer close(c.done)
	for {
		rep, err := c.readReply()
		if err != nil {
			c.readErr = err
			c.mu.Lock()
			w := c.waiting
			c.mu.Unlock()
			var note string
			switch {
			case c.tlsStop || c.localClose.Load():
			case errors.Is(err, ErrClosed) && w == 0 && c.Machine != nil && c.Machine.State() == StateClosed:
				note = "connection closed"
			case errors.Is(err, ErrClosed):
				note = "connection closed by server"
			default:
				note = fmt.Sprintf("read error: %v", err)
			}
			// The state first: whoever hears the note (the prompt) sees
			// the session closed.
			if c.Machine != nil {
				c.Machine.Closed()
			}
			if note != "" {
				c.Note("%s", note)
			}
			return
		}
		if rep == nil {
			continue // a line shown as it came, after SendRaw
		}
		c.mu.Lock()
		solicited := c.waiting > 0
		if solicited {
			c.waiting--
		}
		c.mu.Unlock()
		if solicited {
			c.replies <- replyMsg{rep: rep}
		} else if !c.rawWindow.Load() {
			c.Note("the server sent a reply nobody asked for")
		}
		if c.tlsStop {
			return
		}
		if c.Machine != nil && c.Machine.State() == StateClosed {
			// After QUIT's reply or a 421, the server closes; read on only
			// to see that close.
			continue
		}
	}
}

// readReply reads one complete reply, and a POP3 multi-line body after it,
// reporting each line as it comes and feeding the state machine.
func (c *Client) readReply() (*Reply, error) {
	line, err := c.readLine()
	if err != nil {
		return nil, err
	}
	if c.proto != nil && c.proto.Spec().Unframed {
		// No replies: each line is shown as it arrives.
		c.observe(Event{Time: time.Now(), Dir: FromServer, Text: string(line)})
		return nil, nil
	}
	if c.proto == nil {
		if c.proto = c.protocols.ProtocolOf(line); c.proto == nil {
			if c.proto = c.protocols.Fallback(); c.proto == nil {
				known := "of no protocol the client was given"
				if names := c.protocols.Schemes(); len(names) > 0 {
					known = "none of " + strings.Join(names, ", ")
				}
				return nil, protoErr(line, "the greeting is %s", known)
			}
			return c.becomeRaw(line), nil
		}
		c.Machine = NewMachine(c.proto)
		if c.tlsState != nil {
			c.Machine.SetTLS()
		}
	}
	if h := c.proto.Spec().Hooks; h != nil && h.Read != nil {
		return h.Read(c, line)
	}
	var rep *Reply
	if sp := c.proto.Spec(); sp.Continues != nil {
		rep, err = c.readMultiLine(line, sp.Continues)
	} else if rep, err = sp.ParseStatus(string(line)); rep != nil {
		rep.Proto = c.proto
	}
	if err != nil {
		if c.rawWindow.Load() && errors.Is(err, ErrProtocol) && c.Machine.Pending() == nil {
			// What a server makes of raw bytes need not be a reply
			// (it may echo them); show it rather than give up.
			c.observe(Event{Time: time.Now(), Dir: FromServer, Text: string(line)})
			return nil, nil
		}
		if c.Machine.State() == StateGreeting && errors.Is(err, ErrProtocol) {
			return nil, protoErr(line, "the greeting is not %s", strings.ToUpper(c.proto.String()))
		}
		return nil, err
	}
	pend := c.Machine.Pending()
	verb := ""
	if pend != nil {
		verb = pend.Verb
	}
	multi := c.Machine.Received(rep)
	if !multi {
		c.emitReply(rep, verb, true)
		return rep, c.afterReply(pend, rep)
	}
	c.emitReplyBegins(rep, verb, pend != nil && pend.Spec != nil && pend.Spec.Retrieves)
	dr := NewDotReader(c.lr)
	learns := c.Machine.BodyLearns()
	for {
		bl, err := dr.ReadDotLine()
		if errors.Is(err, io.EOF) {
			c.observe(Event{Time: time.Now(), Dir: FromServer, Text: ".", Class: rep.Class(), Final: true, Verb: verb})
			break
		}
		if err != nil {
			return nil, c.mapErr(err)
		}
		if learns {
			c.Machine.BodyLine(bl)
		}
		// Show the wire form: a line that began with "." was stuffed.
		text := string(bl)
		if strings.HasPrefix(text, ".") {
			text = "." + text
		}
		c.observe(Event{Time: c.readAt, Dir: FromServer, Text: text, Body: true, Class: rep.Class(), Verb: verb})
	}
	c.Machine.BodyDone()
	return rep, nil
}

// becomeRaw turns a session whose greeting is neither SMTP nor POP3 (an
// SSH, LMTP or ManageSieve server, say) into raw line mode, as telnet
// would carry on, and answers the wait for the greeting.
func (c *Client) becomeRaw(greeting []byte) *Reply {
	c.Machine = NewMachine(c.proto)
	if c.tlsState != nil {
		c.Machine.SetTLS()
	}
	c.observe(Event{Time: time.Now(), Dir: FromServer, Text: string(greeting)})
	c.Note("this greeting is none of %s: raw line mode — each line goes out with CRLF, and what arrives is shown as it comes", c.protocols.greetings())
	rep := &Reply{Proto: c.proto, Lines: []string{string(greeting)}, Text: []string{string(greeting)}}
	c.mu.Lock()
	c.waiting--
	c.mu.Unlock()
	c.replies <- replyMsg{rep: rep}
	return nil
}

// afterReply stops the reader after a positive reply to STARTTLS or STLS:
// the next bytes on the connection belong to the TLS handshake.
func (c *Client) afterReply(pend *Cmd, rep *Reply) error {
	if pend == nil || pend.Spec == nil || rep.Class() != ClassPositive {
		return nil
	}
	if pend.Spec.Name == c.proto.Spec().StartTLS {
		// RFC 3207 §5 / RFC 2595 §4: nothing may follow the reply in
		// clear text. A server (or a man in the middle) that sends more is
		// injecting commands into the TLS session (CVE-2011-0411).
		if c.lr.R.Buffered() > 0 {
			return fmt.Errorf("%w: the server sent data after its %s reply, before TLS (possible injection)", ErrProtocol, pend.Spec.Name)
		}
		c.tlsStop = true
	}
	return nil
}

// readMultiLine reads a reply whose lines say whether more follow
// (SMTP's "250-", RFC 5321 §4.2.1).
func (c *Client) readMultiLine(first []byte, add func(r *Reply, line []byte) (more bool, err error)) (*Reply, error) {
	rep := &Reply{Proto: c.proto}
	line := first
	for {
		more, err := add(rep, line)
		if err != nil {
			return nil, err
		}
		if !more {
			return rep, nil
		}
		if line, err = c.readLine(); err != nil {
			return nil, err
		}
	}
}

func (c *Client) emitReply(rep *Reply, verb string, final bool) {
	cl := rep.Class()
	for i, l := range rep.Lines {
		e := Event{Time: time.Now(), Dir: FromServer, Text: l, Class: cl, Final: final && i == len(rep.Lines)-1, Verb: verb}
		if e.Final {
			e.Reply = rep
		}
		c.observe(e)
	}
}

// emitReplyBegins reports the status line of a reply whose body follows;
// begins marks a body that is a message (RETR, TOP).
func (c *Client) emitReplyBegins(rep *Reply, verb string, begins bool) {
	c.observe(Event{Time: time.Now(), Dir: FromServer, Text: rep.Lines[0], Class: rep.Class(), Verb: verb, Begins: begins})
}

// readLine reads a line with no deadline: the reader waits as long as the
// server keeps the connection open; commands time out on their own.
func (c *Client) readLine() ([]byte, error) {
	line, err := c.lr.ReadLine()
	if err != nil {
		return nil, c.mapErr(err)
	}
	return line, nil
}

func (c *Client) mapErr(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, os.ErrDeadlineExceeded) && c.tlsStop:
		return ErrClosed
	case errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("%w (reset)", ErrClosed)
	}
	return err
}

// Greeting waits for the server's greeting.
func (c *Client) Greeting() (*Reply, error) {
	return c.wait("the greeting")
}

// wait waits for the next solicited reply. The timeout counts silence:
// a long multi-line body that keeps arriving does not time out.
func (c *Client) wait(what string) (*Reply, error) {
	var timer <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timer = t.C
	}
	start := time.Now()
again:
	select {
	case m := <-c.replies:
		return m.rep, m.err
	case <-c.done:
		// A reply may have been queued just before the reader stopped.
		select {
		case m := <-c.replies:
			return m.rep, m.err
		default:
		}
		err := c.readErr
		if err == nil {
			err = ErrClosed
		}
		c.botch(err)
		return nil, err
	case <-timer:
		if last := time.Unix(0, c.lastRead.Load()); last.After(start) {
			start = time.Now()
			timer = time.After(c.Timeout - time.Since(last))
			goto again
		}
		err := fmt.Errorf("%w: no reply to %s within %v", ErrTimeout, what, c.Timeout)
		c.botch(err)
		c.localClose.Store(true)
		c.conn.Close()
		return nil, err
	}
}

func (c *Client) botch(err error) {
	c.mu.Lock()
	if c.botched == nil {
		c.botched = err
	}
	c.mu.Unlock()
	if c.Machine != nil {
		c.Machine.Abandon()
	}
}

// Err returns the error that ended the session, if any.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.botched
}

// Closed reports whether the session is over.
func (c *Client) Closed() bool {
	select {
	case <-c.done:
		return !c.tlsStop
	default:
		return c.Machine != nil && c.Machine.State() == StateClosed
	}
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Command sends one line and waits for its reply. In SMTP DATA a line of
// text is sent dot-stuffed and has no reply (the returned reply is nil);
// the lone "." ends the message and returns the final reply. A positive
// reply to STARTTLS or STLS is followed by the TLS handshake.
//
// A failure reply is not an error: the reply says what happened. Errors
// are for a broken conversation.
func (c *Client) Command(line string) (*Cmd, *Reply, error) {
	if err := ValidateLine(line); err != nil {
		return nil, nil, fmt.Errorf("%w: a command cannot contain CR or LF", err)
	}
	if err := c.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBotched, err)
	}
	if c.Machine == nil {
		return nil, nil, errors.New("no greeting from the server yet")
	}
	if c.Machine.State() == StateClosed {
		return nil, nil, ErrClosed
	}
	cmd := c.Machine.Classify(line)
	wire := line
	if c.Machine.Protocol().Spec().Unframed {
		// Nothing to wait for: what comes back is shown as it arrives.
		cmd.Valid = true
		return cmd, nil, c.writeLines(cmd, wire)
	}
	if cmd.Body && !cmd.Cont {
		// A line of message text changes no state and awaits no reply:
		// the machine need not hear of it (Sent would only classify it
		// again, a million times for a large message).
		wire = StuffLine(line)
		return cmd, nil, c.writeLines(cmd, wire)
	}
	if cmd.NoReply {
		// An IMAP line the server answers nothing to: a literal's octets
		// with more to come, or a line announcing a LITERAL+ literal.
		cmd = c.Machine.Sent(line)
		return cmd, nil, c.writeLines(cmd, cmd.Line)
	}
	c.mu.Lock()
	c.waiting++
	c.mu.Unlock()
	cmd = c.Machine.Sent(line)
	if err := c.writeLines(cmd, cmd.Line); err != nil {
		return cmd, nil, err
	}
	rep, err := c.wait(cmd.Shown)
	if err != nil {
		return cmd, nil, err
	}
	if c.tlsStop {
		if err := c.handshake(); err != nil {
			return cmd, rep, err
		}
	}
	return cmd, rep, nil
}

// Text sends one line of message text in DATA, whatever it says: a line
// "." goes as ".." and does not end the message. It is for text known to
// be message text, such as a paste at a terminal.
func (c *Client) Text(line string) error {
	if err := ValidateLine(line); err != nil {
		return fmt.Errorf("%w: a line cannot contain CR or LF", err)
	}
	if c.Machine == nil || !c.Machine.State().TakesText() {
		return errors.New("not in DATA")
	}
	cmd := &Cmd{Line: line, Shown: line, Body: true, Valid: true}
	return c.writeLines(cmd, StuffLine(line))
}

// StuffLine returns a line of message text as it goes on the wire: a
// leading "." is doubled (RFC 5321 §4.5.2).
func StuffLine(line string) string {
	if strings.HasPrefix(line, ".") {
		return "." + line
	}
	return line
}

// textDelay is how long lines of message text may wait in the buffer.
const textDelay = 50 * time.Millisecond

func (c *Client) writeLines(cmd *Cmd, wire string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	e := Event{Time: time.Now(), Dir: FromClient, Text: cmd.Shown, Secret: cmd.Secret, Body: cmd.Body}
	if cmd.Body {
		e.Text = wire
	}
	if cmd.Secret && c.KeepSecrets {
		e.Raw = wire
	}
	c.observe(e)
	if cmd.Body {
		if c.bw.Available() < len(wire)+2 {
			c.setWriteDeadline() // the buffer fills and is written
		}
		c.bw.WriteString(wire)
		if _, err := c.bw.WriteString("\r\n"); err != nil {
			err = c.mapErr(err)
			c.botch(err)
			return err
		}
		if !c.textPending {
			c.textPending = true
			if c.textTimer == nil {
				c.textTimer = time.AfterFunc(textDelay, c.flushText)
			} else {
				c.textTimer.Reset(textDelay)
			}
		}
		return nil
	}
	c.textPending = false
	c.setWriteDeadline()
	c.bw.WriteString(wire)
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		err = c.mapErr(err)
		c.botch(err)
		return err
	}
	return nil
}

// flushText sends lines of message text that have waited textDelay.
func (c *Client) flushText() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.textPending {
		return
	}
	c.textPending = false
	c.setWriteDeadline()
	if err := c.bw.Flush(); err != nil {
		err = c.mapErr(err)
		c.botch(err)
	}
}

func (c *Client) setWriteDeadline() {
	if c.Timeout > 0 {
		c.conn.SetWriteDeadline(time.Now().Add(c.Timeout))
	}
}

// handshake upgrades the connection to TLS after STARTTLS or STLS.
func (c *Client) handshake() error {
	<-c.done // the reader has stopped
	c.tlsStop = false
	cfg := c.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{}
	}
	tc := tls.Client(c.conn, cfg)
	if c.Timeout > 0 {
		tc.SetDeadline(time.Now().Add(c.Timeout))
	}
	if err := tc.Handshake(); err != nil {
		err = &TLSError{Err: err, Proto: c.proto}
		c.botch(err)
		c.localClose.Store(true)
		c.conn.Close()
		c.Machine.Closed()
		return err
	}
	tc.SetDeadline(time.Time{})
	st := tc.ConnectionState()
	c.conn, c.tlsState = tc, &st
	c.Machine.StartedTLS()
	c.Note("TLS started: %s", DescribeTLS(&st))
	c.startReader()
	return nil
}

// SendMessage streams a whole message as message text (SMTP's DATA):
// once the server waits for text it dot-stuffs r (bare LF becomes CRLF),
// ends it with ".", and returns the final reply. The message is never
// held in memory.
func (c *Client) SendMessage(r io.Reader) (*Reply, int64, error) {
	if c.Machine == nil || !c.Machine.State().TakesText() {
		return nil, 0, errors.New("not in DATA: send DATA first and wait for 354")
	}
	if err := c.Err(); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBotched, err)
	}
	c.mu.Lock()
	c.waiting++
	c.mu.Unlock()
	c.Machine.Sent(c.Machine.Protocol().Spec().EndText.Name)
	c.wmu.Lock()
	c.textPending = false
	tap := &lineTap{w: c.bw, emit: c.observe}
	dw := NewDotWriter(tap)
	n, err := io.Copy(&deadlineWriter{c: c, w: dw}, r)
	if err == nil {
		err = dw.Close()
	}
	if err == nil {
		tap.flushPartial()
		c.setWriteDeadline()
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		err = c.mapErr(err)
		c.botch(err)
		return nil, n, err
	}
	rep, err := c.wait("the end of the message")
	return rep, n, err
}

// deadlineWriter renews the write deadline as a long message streams.
type deadlineWriter struct {
	c *Client
	w io.Writer
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.c.setWriteDeadline()
	return d.w.Write(p)
}

// Bdat sends one RFC 3030 chunk: "BDAT size [LAST]" followed by exactly
// size octets of r, with no dot-stuffing, and returns the reply.
func (c *Client) Bdat(r io.Reader, size int64, last bool) (*Cmd, *Reply, error) {
	if err := c.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrBotched, err)
	}
	line := fmt.Sprintf("BDAT %d", size)
	if last {
		line += " LAST"
	}
	cmd := c.Machine.Classify(line)
	c.mu.Lock()
	c.waiting++
	c.mu.Unlock()
	c.Machine.Sent(line)
	c.observe(Event{Time: time.Now(), Dir: FromClient, Text: line})
	c.wmu.Lock()
	c.textPending = false
	c.setWriteDeadline()
	c.bw.WriteString(line + "\r\n")
	tap := &lineTap{w: c.bw, emit: c.observe}
	n, err := io.CopyN(&deadlineWriter{c: c, w: tap}, r, size)
	tap.flushPartial()
	if err == nil {
		err = c.bw.Flush()
	} else if errors.Is(err, io.EOF) {
		err = fmt.Errorf("chunk ended after %d of %d octets", n, size)
	}
	c.wmu.Unlock()
	if err != nil {
		err = c.mapErr(err)
		c.botch(err)
		return cmd, nil, err
	}
	rep, err := c.wait(line)
	return cmd, rep, err
}

// Close closes the connection without QUIT.
func (c *Client) Close() error {
	c.wmu.Lock()
	c.textPending = false // message text not yet sent is abandoned with it
	c.wmu.Unlock()
	c.localClose.Store(true)
	err := c.conn.Close()
	<-c.done
	return err
}

// WaitQuiet waits until the server has sent nothing for quiet, or has
// closed the connection, for at most the client's timeout: the end of a
// raw session, whose replies have no frame to wait for.
func (c *Client) WaitQuiet(quiet time.Duration) {
	deadline := time.Now().Add(c.Timeout)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return
		case <-time.After(quiet):
		}
		if time.Since(time.Unix(0, c.lastRead.Load())) >= quiet {
			return
		}
	}
}
