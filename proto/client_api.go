package proto

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// The Client's methods for a protocol's Read hook and its own commands,
// which read and write the connection as the engine does.

// ReadLine reads the next line from the server, without its ending.
func (c *Client) ReadLine() ([]byte, error) { return c.readLine() }

// Arrived is when octets last came from the server: the time of the
// lines a Read hook reports. Only the reader goroutine may call it.
func (c *Client) Arrived() time.Time { return c.readAt }

// ReadFull reads exactly len(p) octets from the server: a literal, read by
// count, never as lines. Each read that brings octets counts as data
// flowing for the reply's timeout, however long p takes to fill.
func (c *Client) ReadFull(p []byte) (int, error) {
	n := 0
	var err error
	for n < len(p) && err == nil {
		var m int
		m, err = c.lr.R.Read(p[n:])
		n += m // each read that brings octets is noted (arrived)
	}
	if n == len(p) {
		err = nil
	}
	if errors.Is(err, io.EOF) {
		return n, ErrClosed
	}
	if err != nil {
		return n, c.mapErr(err)
	}
	return n, nil
}

// Emit reports an event to the observers.
func (c *Client) Emit(e Event) { c.observe(e) }

// EmitReply reports the lines of a complete reply, the last one carrying
// the reply, as answering verb.
func (c *Client) EmitReply(r *Reply, verb string) { c.emitReply(r, verb, true) }

// Probing reports whether :raw send is showing what comes back, when
// what the server sends need not be a reply.
func (c *Client) Probing() bool { return c.rawWindow.Load() }

// AfterReply checks a reply to the TLS upgrade (nothing may follow it in
// clear text) and readies the handshake.
func (c *Client) AfterReply(pend *Cmd, rep *Reply) error { return c.afterReply(pend, rep) }

// WriteVerbatim streams n octets of r to the server as they are (an IMAP
// literal, or message text already dot-stuffed), never whole in memory,
// each line reported as message text.
func (c *Client) WriteVerbatim(r io.Reader, n int64) (int64, error) {
	literal := c.Machine == nil || !c.Machine.State().TakesText()
	c.wmu.Lock()
	c.textPending = false
	tap := &lineTap{w: c.bw, emit: c.observe, literal: literal}
	sent, err := io.CopyN(&deadlineWriter{c: c, w: tap}, r, n)
	tap.flushPartial()
	c.wmu.Unlock()
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("the literal ended after %d of %d octets", sent, n)
	}
	if err != nil {
		err = c.mapErr(err)
		c.botch(err)
	}
	return sent, err
}

// States lists states, for a command's row.
func States(s ...State) []State { return s }

// ProtocolErr is a protocol error about a line the server sent.
func ProtocolErr(line []byte, format string, args ...any) error {
	return protoErr(line, format, args...)
}

// RedactAuth shows a SASL command's argument with its initial response
// hidden ("AUTH PLAIN [redacted user=vmc]"), or "" if it has none.
func RedactAuth(arg string) string { return redactAuth(arg) }
