package shell

import (
	"bytes"
	"unicode"
)

// textChunk is how much message text scriptText gathers before it sends
// it: the size of the client's write buffer.
const textChunk = 64 << 10

// scriptText carries a script's message text (the lines after DATA's 354)
// to the server a chunk at a time, rather than a line at a time through
// Session.Handle and Client.Command: a 100 MB message is more than a
// million lines, and each went through the command path (its locks, its
// classification, the checks of a script line) only to be written to
// the same buffer.
//
// It takes only the lines that Handle would send as they are: not the
// lone "." that ends the message, not a line that may be a meta-command
// (":abort", ":raw send …", which work in DATA), not one with a CR in it
// (which Command refuses). Those, and every line outside message text,
// go the normal way once what was taken before them has been sent. What
// goes on the wire, and what the printer and the transcript hear, is what
// Handle makes of the same lines: each line dot-stuffed with CRLF, each
// reported as a line of message text. Nothing is held back longer than
// the next read of the script, which may wait: the last line of each
// chunk goes through Client.Text, whose timer sends what waits in the
// client's buffer if no more comes.
type scriptText struct {
	s *Session
	// on: the session takes message text, so plain lines are taken here.
	// RunScript sets it after each line that goes the normal way, the
	// only way the session's state changes (but for the server closing
	// the connection, which flush sees).
	on bool
	// buf holds the lines taken and not yet sent, in their wire form
	// (dot-stuffed, each with CRLF); last is where the last one begins.
	buf  []byte
	last int
	// held: the connection was found closed when buf was to be sent, so
	// its lines wait to go the normal way, which says what Handle says
	// of a line after the connection has gone.
	held bool
	// err is why sending failed; RunScript ends on it as on an error of
	// Handle's.
	err error
}

// ready reports whether the session takes message text now, so that the
// script's next lines may be taken here.
func (t *scriptText) ready() bool {
	s := t.s
	if s.Opts.Interactive || s.answers.skipping.Load() {
		// At a terminal Handle also tells the printer what was typed;
		// leftover SASL answers are weighed line by line.
		return false
	}
	c := s.Client
	if c == nil || c.Machine == nil || c.Closed() || !c.Machine.State().TakesText() {
		return false
	}
	// A protocol that classifies lines itself may make something else of
	// a line of text than Command's plain line (SMTP does not).
	h := c.Machine.Protocol().Spec().Hooks
	return h == nil || h.Classify == nil
}

// take gathers a line of the script (as read, with its CR if it had one)
// if it is plain message text, and reports whether it did. It sends the
// text gathered once there is a chunk of it.
func (t *scriptText) take(line []byte) bool {
	if !t.on || t.held || t.err != nil {
		return false
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !plainText(line) {
		return false
	}
	t.last = len(t.buf)
	if len(line) > 0 && line[0] == '.' {
		t.buf = append(t.buf, '.') // RFC 5321 §4.5.2
	}
	t.buf = append(t.buf, line...)
	t.buf = append(t.buf, '\r', '\n')
	if len(t.buf) >= textChunk {
		t.flush()
	}
	return true
}

// plainText reports whether Handle, in DATA, would send line as a line of
// message text and do nothing else: it is not the lone "." that ends the
// message, it has no CR (which Command refuses), and it does not begin,
// after blanks, with ":" (":abort", ":raw send …"; the other lines that
// begin so are text, and go the normal way all the same).
func plainText(line []byte) bool {
	if bytes.IndexByte(line, '\r') >= 0 || len(line) == 1 && line[0] == '.' {
		return false
	}
	rest := bytes.TrimLeftFunc(line, unicode.IsSpace) // as strings.TrimSpace trims
	return len(rest) == 0 || rest[0] != ':'
}

// flush sends the lines gathered: all but the last as one stream, the
// last through Client.Text, which starts the client's timer that sends
// what waits in its buffer when no more text comes soon. The stream goes
// through Client.WriteVerbatim, which writes the octets as they are (they
// are stuffed already) and reports each line as a line of message text,
// as Command does; its events also say Literal, which only matters for
// lines from the server.
func (t *scriptText) flush() {
	if len(t.buf) == 0 || t.held || t.err != nil {
		return
	}
	c := t.s.Client
	if c == nil || c.Closed() {
		t.held = true
		return
	}
	if t.last > 0 {
		if _, err := c.WriteVerbatim(bytes.NewReader(t.buf[:t.last]), int64(t.last)); err != nil {
			t.buf, t.last, t.err = t.buf[:0], 0, err
			return
		}
	}
	last := unstuff(t.buf[t.last : len(t.buf)-2])
	if err := c.Text(string(last)); err != nil {
		if c.Closed() {
			// The server closed the connection meanwhile: the line goes
			// the normal way, as it would have.
			t.buf, t.last, t.held = append(t.buf[:0], t.buf[t.last:]...), 0, true
			return
		}
		t.err = err
	}
	t.buf, t.last = t.buf[:0], 0
}

// heldLines returns the lines held back, as the script gave them, for the
// normal way, and forgets them.
func (t *scriptText) heldLines() []string {
	if !t.held {
		return nil
	}
	var lines []string
	for b := t.buf; len(b) > 0; {
		i := bytes.Index(b, []byte("\r\n"))
		lines = append(lines, string(unstuff(b[:i])))
		b = b[i+2:]
	}
	t.buf, t.last, t.held, t.on = t.buf[:0], 0, false, false
	return lines
}

// unstuff undoes take's dot-stuffing of a line.
func unstuff(line []byte) []byte {
	if len(line) > 0 && line[0] == '.' {
		return line[1:]
	}
	return line
}
