package proto

import (
	"bytes"
	"time"
)

// Direction says who produced a line of a session.
type Direction byte

// Directions, as the transcript writes them.
const (
	FromClient Direction = 'C'
	FromServer Direction = 'S'
	Note       Direction = '*' // mailsh's own remark: TLS started, connection closed
)

// Event is one line of a session as it crossed the wire, or a note about
// the session. Observers such as the shell's printer and the transcript
// recorder receive every event in order.
type Event struct {
	Time time.Time
	Dir  Direction
	// Text is the line without its CRLF. For a secret line it is
	// redacted ("PASS [redacted]"): observers that may show secrets read
	// Raw.
	Text string
	// Secret is true if the line carried a secret.
	Secret bool
	// Raw is the secret line as sent, only when the client was told to
	// keep secrets (--no-redact); otherwise empty.
	Raw string
	// Body is true for a line of message text: SMTP DATA or BDAT content
	// sent, a POP3 multi-line body received, or a line of an IMAP
	// literal.
	Body bool
	// Literal is true for a line of an IMAP literal, read by count: it
	// is as it was sent, never dot-stuffed.
	Literal bool
	// Begins is true on the server line after which a message comes
	// (a positive reply to RETR or TOP, the line announcing a BODY[]
	// literal): the body lines that follow are the message, up to the
	// next line that is not body.
	Begins bool
	// Class is the class of the reply a server line belongs to.
	Class Class
	// Final is true on the last line of a server reply (the status line of
	// a POP3 reply with a body is not final; its "." line is).
	Final bool
	// Reply is, on the last line of a reply without a body, the whole
	// reply, so that an observer can explain it in its place.
	Reply *Reply
	// Verb is, on a server line, the command the reply answers ("RETR",
	// "EHLO"; "." for the end of DATA; empty for the greeting or a reply
	// nobody asked for).
	Verb string
}

// lineTap splits what is written through it into lines and reports each as
// a client body event: the wire tracing of message text is done by
// wrapping the writer, not by logging at each call.
type lineTap struct {
	w       writerFlusher
	emit    func(Event)
	partial []byte
	// literal: the text is an IMAP literal's, where a lone "." is text
	// like any other line.
	literal bool
}

type writerFlusher interface {
	Write([]byte) (int, error)
}

func (t *lineTap) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	data := p[:n]
	// The lines of one write went out together: one reading of the
	// clock for all of them, not one a line.
	now := time.Now()
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(t.partial) < MaxLine {
				t.partial = append(t.partial, data...)
			}
			break
		}
		line := data[:i]
		if len(t.partial) > 0 {
			line = append(t.partial, line...)
			t.partial = t.partial[:0]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		// On the wire a lone "." can only be the end of the data: the
		// writer doubles every other leading dot.
		t.emit(Event{Time: now, Dir: FromClient, Text: string(line), Body: t.literal || string(line) != ".", Literal: t.literal})
		data = data[i+1:]
	}
	return n, err
}

// flushPartial reports a last line that had no line ending.
func (t *lineTap) flushPartial() {
	if len(t.partial) > 0 {
		t.emit(Event{Time: time.Now(), Dir: FromClient, Text: string(t.partial), Body: true, Literal: t.literal})
		t.partial = t.partial[:0]
	}
}
