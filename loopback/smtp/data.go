package smtp

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
)

// begin starts the delivery of the transaction's message.
func (s *session) begin() (*loopback.Delivery, error) {
	var tlsDesc string
	if s.TLS() != nil {
		tlsDesc = s.TLSDescription()
	}
	env := &loopback.Envelope{
		ID:         newID(),
		From:       s.tx.from,
		Recipients: s.tx.rcpts,
		Helo:       s.helo,
		RemoteIP:   s.RemoteIP(),
		Protocol:   s.protocolName(),
		TLS:        tlsDesc,
		User:       s.user,
		Domain:     s.Server().Domain(),
		Time:       time.Now(),
	}
	return s.Server().Store().Begin(env, s.Server().Limits().MaxLineLength)
}

// newID makes a transaction id, as shown in the 250 reply, the Received
// field and the Message-ID of a message without one.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// data receives a message (RFC 5321 §4.1.1.4): 354, then the text up to
// the line holding only ".", dot-unstuffed by proto's DotReader (RFC 5321
// §4.5.2) and streamed into the Maildir as it arrives.
func (s *session) data(string) error {
	d, err := s.begin()
	if err != nil {
		s.Logf("cannot start delivery: %v", err)
		return s.send(rStoreFailed(err))
	}
	if err := s.send(rStartData); err != nil {
		d.Abort()
		return err
	}
	if err := s.Writer().Flush(); err != nil {
		d.Abort()
		return err
	}
	// RFC 5321 §4.5.3.1.6: text lines are bounded; the reader holds no
	// more than that.
	s.Lines().Max = s.Server().Limits().MaxLineLength - 2
	defer func() { s.Lines().Max = maxCommandLine }()
	dr := proto.NewDotReader(s.Lines())
	dr.Limit = s.Server().Limits().MaxMessageSize
	// RFC 5321 §4.1.1.4 and §2.3.8: the data ends at <CRLF>.<CRLF> and
	// nothing else, and CR and LF come only together; a reader that
	// also ends it at <LF>.<LF> lets a client smuggle a second message
	// past the next hop (CVE-2023-51764).
	dr.Strict = !LenientData(s.Server().Faults())
	if !dr.Strict {
		s.Logf("fault rule %q: DATA read leniently, open to SMTP smuggling: a bare LF ends a line and <LF>.<LF> the message", smuggleLenient)
	}
	_, err = io.Copy(d, dr)
	if err == nil {
		return s.finish(d)
	}
	d.Abort()
	defer s.reset()
	// Get back in step with the client: read up to the final ".".
	if !errors.Is(err, proto.ErrTooBig) {
		if derr := drain(dr); derr != nil {
			err = derr
		}
	}
	var le *loopback.LineLengthError
	switch {
	case dr.Bare != nil && dr.Done():
		s.Logf("message from <%s> refused: %v", s.tx.from, dr.Bare)
		return s.send(rBareNewline(dr.Bare))
	case errors.Is(err, proto.ErrTooBig):
		// RFC 1870 §6.3 and RFC 5321 §4.5.3.1.9: "552 Too much mail data".
		s.Logf("message from <%s> refused: over %d octets", s.tx.from, s.Server().Limits().MaxMessageSize)
		return s.send(rTooBig(s.Server().Limits().MaxMessageSize))
	case errors.Is(err, proto.ErrLineTooLong), errors.As(err, &le):
		s.Logf("message from <%s> refused: a line is too long", s.tx.from)
		return s.send(rTextLineTooLong(s.Server().Limits().MaxLineLength))
	case d.Err() != nil:
		s.Logf("delivery failed: %v", d.Err())
		return s.send(rStoreFailed(d.Err()))
	case loopback.IsTimeout(err):
		s.send(rIdle(s.Server().Domain(), s.Idle()))
		return loopback.ErrClosing
	}
	// The connection broke in the middle of the message: RFC 5321 §4.1.1.4,
	// a message without its final "." is not delivered.
	s.Logf("connection lost during DATA: message from <%s> discarded", s.tx.from)
	return loopback.ErrDrop
}

// rBareNewline refuses a message holding a bare LF or bare CR, as
// Postfix's smtpd_forbid_bare_newline = reject does, but naming the line.
// RFC 5321 §2.3.8: CR and LF may appear only together, as CRLF.
func rBareNewline(e *proto.BareNewlineError) Reply {
	return reply(550, "5.5.2", "Message refused: %s on line %d of the message text (RFC 5321 §2.3.8); lines must end with CRLF, and the message with <CRLF>.<CRLF>; nothing was delivered", e.What(), e.Line)
}

// drain reads the rest of the message text up to the final ".", through
// any further lines that are too long.
func drain(dr *proto.DotReader) error {
	for {
		err := dr.Drain()
		if err == nil || !errors.Is(err, proto.ErrLineTooLong) {
			return err
		}
	}
}

// finish ends a transaction whose text arrived whole: after the fault
// rules for "dot", it commits the delivery and only then says 250 (RFC
// 5321 §4.2.5: the 250 after the data means the server has taken
// responsibility for the message).
func (s *session) finish(d *loopback.Delivery) error {
	defer s.reset()
	if o := s.fault("dot", s.tx.from, ""); o.Decided() {
		d.Abort()
		return s.applyFault(o)
	}
	if _, err := d.Commit(); err != nil {
		var le *loopback.LineLengthError
		if errors.As(err, &le) {
			return s.send(rTextLineTooLong(le.Max))
		}
		s.Logf("delivery failed: %v", err)
		return s.send(rStoreFailed(err))
	}
	s.messages++
	accounts := d.Accounts()
	s.Server().Store().Changed(accounts...)
	s.Logf("delivered %s from <%s> to %s (%d octets)", d.ID(), s.tx.from, strings.Join(accounts, ", "), d.Size())
	return s.send(rDelivered(d.ID(), accounts))
}

// bdat receives one chunk of a message (RFC 3030 §2). The chunk is read
// before any reply, even a refusal, so that the session stays in step;
// a chunk whose size cannot be read leaves no way to find its end, so the
// connection closes. A failed chunk ends the transaction.
func (s *session) bdat(arg string, rejection *Reply) error {
	size, last, ok := parseBDAT(arg)
	if !ok {
		s.send(rBadChunk)
		return loopback.ErrClosing
	}
	chunk := &io.LimitedReader{R: s.Reader(), N: size}
	refuse := func(r Reply) error {
		if _, err := io.Copy(io.Discard, chunk); err != nil {
			return loopback.ErrDrop
		}
		// RFC 3030 §2: after a failed chunk the transaction is over
		// (proto's table agrees: BDAT fails into the ready state).
		if !s.rejected {
			s.reset()
		}
		return s.send(r)
	}
	if rejection != nil {
		return refuse(*rejection)
	}
	if o := s.fault("bdat", arg, arg); o.Decided() {
		if o.Drop {
			return loopback.ErrDrop
		}
		return refuse(o.Reply.(Reply))
	}
	total := s.tx.chunks + size
	if total > s.Server().Limits().MaxMessageSize {
		return refuse(rTooBig(s.Server().Limits().MaxMessageSize))
	}
	if s.tx.bdat == nil {
		d, err := s.begin()
		if err != nil {
			s.Logf("cannot start delivery: %v", err)
			return refuse(rStoreFailed(err))
		}
		s.tx.bdat = d
	}
	d := s.tx.bdat
	if s.tx.bare == nil {
		s.tx.bare = &bareCheck{line: 1, off: LenientData(s.Server().Faults())}
	}
	_, err := io.Copy(d, io.TeeReader(chunk, s.tx.bare))
	if err == nil && chunk.N == 0 && last {
		s.tx.bare.end()
	}
	if b := s.tx.bare.found; b != nil && err == nil && chunk.N == 0 {
		s.Logf("message from <%s> refused: %v", s.tx.from, b)
		return refuse(rBareNewline(b))
	}
	if derr := d.Err(); derr != nil {
		var le *loopback.LineLengthError
		if errors.As(derr, &le) {
			return refuse(rTextLineTooLong(le.Max))
		}
		s.Logf("delivery failed: %v", derr)
		return refuse(rStoreFailed(derr))
	}
	if err != nil || chunk.N > 0 {
		// The connection broke inside the chunk.
		s.Logf("connection lost during BDAT: message from <%s> discarded", s.tx.from)
		return loopback.ErrDrop
	}
	s.tx.chunks = total
	if last {
		s.tx.bdat = nil // finish owns it now
		return s.finish(d)
	}
	return s.send(rChunkOK(size, total))
}

// bareCheck watches BDAT chunks for a bare CR or bare LF. BDAT data is
// counted, not dot-terminated, so it cannot smuggle a message; it is held
// to CRLF all the same (RFC 5321 §2.3.8, RFC 3030 §2: the chunks carry the
// message as it is), so that DATA and BDAT store the same messages. A
// missing final CRLF is allowed: the message simply ends there.
type bareCheck struct {
	off    bool // the smuggle:lenient rule is on
	line   int  // the current line, from 1
	lastCR bool // the previous octet was a CR
	found  *proto.BareNewlineError
}

func (b *bareCheck) Write(p []byte) (int, error) {
	if b.off || b.found != nil {
		return len(p), nil
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case b.lastCR && c != '\n':
			b.found = &proto.BareNewlineError{Line: b.line, CR: true}
			return len(p), nil
		case c == '\n' && !b.lastCR:
			b.found = &proto.BareNewlineError{Line: b.line}
			return len(p), nil
		case c == '\n':
			b.line++
		}
		b.lastCR = c == '\r'
		if !b.lastCR {
			// Skip to the next CR or LF.
			j := bytes.IndexAny(p[i+1:], "\r\n")
			if j < 0 {
				break
			}
			i += j
		}
	}
	return len(p), nil
}

// end checks the last octet of the message: a CR there is bare.
func (b *bareCheck) end() {
	if !b.off && b.found == nil && b.lastCR {
		b.found = &proto.BareNewlineError{Line: b.line, CR: true}
	}
}

// parseBDAT reads "chunk-size [LAST]" (RFC 3030 §2).
func parseBDAT(arg string) (size int64, last bool, ok bool) {
	f := strings.Fields(arg)
	if len(f) == 0 || len(f) > 2 {
		return 0, false, false
	}
	for _, c := range f[0] {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, false, false
	}
	if len(f) == 2 {
		if !strings.EqualFold(f[1], "LAST") {
			return 0, false, false
		}
		last = true
	}
	return n, last, true
}
