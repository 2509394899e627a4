package proto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DotWriter encodes a message for SMTP DATA (RFC 5321 §4.5.2) or a POP3
// multi-line response (RFC 1939 §3) as it streams through: a bare LF
// becomes CRLF, a line beginning with "." gets a second ".", and Close ends
// the data with CRLF "." CRLF. It writes large runs of ordinary text in one
// call, so it is much faster than a byte-at-a-time state machine.
type DotWriter struct {
	w      io.Writer
	midLn  bool // false at the beginning of a line
	lastCR bool // the previous byte written was CR
	closed bool
	n      int64
}

// NewDotWriter returns a DotWriter that writes the encoded form to w. Give
// it a buffered writer: it writes in pieces.
func NewDotWriter(w io.Writer) *DotWriter { return &DotWriter{w: w} }

var crlf = []byte("\r\n")
var dot = []byte(".")

// Write encodes p. It reports len(p) on success, as io.Writer requires,
// though more bytes may reach the underlying writer.
func (d *DotWriter) Write(p []byte) (int, error) {
	if d.closed {
		return 0, errors.New("proto: write to closed DotWriter")
	}
	total := len(p)
	for len(p) > 0 {
		if !d.midLn && p[0] == '.' {
			// RFC 5321 §4.5.2: double a leading period.
			if _, err := d.w.Write(dot); err != nil {
				return 0, err
			}
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if _, err := d.w.Write(p); err != nil {
				return 0, err
			}
			d.midLn, d.lastCR = true, p[len(p)-1] == '\r'
			break
		}
		hasCR := (i > 0 && p[i-1] == '\r') || (i == 0 && d.lastCR)
		if hasCR {
			// Look ahead: write as many well-formed lines as possible at
			// once, stopping before a line that needs a change.
			j := i + 1
			for j < len(p) && p[j] != '.' {
				k := bytes.IndexByte(p[j:], '\n')
				if k < 0 || k == 0 || p[j+k-1] != '\r' {
					break
				}
				j += k + 1
			}
			if _, err := d.w.Write(p[:j]); err != nil {
				return 0, err
			}
			p = p[j:]
		} else {
			if _, err := d.w.Write(p[:i]); err != nil {
				return 0, err
			}
			if _, err := d.w.Write(crlf); err != nil {
				return 0, err
			}
			p = p[i+1:]
		}
		d.midLn, d.lastCR = false, false
	}
	d.n += int64(total)
	return total, nil
}

// Close ends the data: it completes an unterminated last line with CRLF and
// writes the terminating "." line. It does not close the underlying writer.
func (d *DotWriter) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if d.midLn {
		if d.lastCR {
			// A trailing bare CR becomes the line's CRLF.
			if _, err := d.w.Write([]byte("\n")); err != nil {
				return err
			}
		} else if _, err := d.w.Write(crlf); err != nil {
			return err
		}
	}
	_, err := d.w.Write([]byte(".\r\n"))
	return err
}

// DotReader decodes dot-encoded data (RFC 5321 §4.5.2, RFC 1939 §3) from a
// LineReader: it removes the extra leading "." and stops at the lone "."
// line, yielding the lines with CRLF endings. Lines keep the reader's cap.
//
// By default it reads lines as its LineReader does, so that a bare LF ends
// a line and <LF>.<LF> ends the data: a client reading a server's
// multi-line reply wants that leniency. A server receiving message text
// sets Strict.
type DotReader struct {
	r     *LineReader
	buf   []byte // pending output, a window on store
	store []byte
	done  bool
	err   error
	// Limit, if positive, caps the decoded size; reading past it gives
	// ErrTooBig (the rest of the data is still consumed up to the ".").
	Limit int64
	n     int64

	// Strict makes <CRLF>.<CRLF> the only end of the data (RFC 5321
	// §4.1.1.4) and a bare LF or bare CR anywhere in it an error: the
	// reader reads on to the real end, so that the connection stays in
	// step, and then, in place of io.EOF, returns a *BareNewlineError
	// naming the first offending line. What it read in between is not
	// passed on.
	Strict bool
	// Bare is the first bare LF or bare CR a Strict reader met, or nil.
	Bare *BareNewlineError
	line int // lines read so far, for Bare
}

// ErrTooBig is returned by a DotReader whose Limit was exceeded.
var ErrTooBig = errors.New("data exceeds size limit")

// ErrBareNewline is matched by errors.Is for a *BareNewlineError.
var ErrBareNewline = errors.New("bare LF or bare CR in the data")

// BareNewlineError reports a line of dot-encoded data that holds a bare LF
// or a bare CR: RFC 5321 §2.3.8 allows CR and LF only together, as CRLF.
type BareNewlineError struct {
	Line int  // the line's number in the data, from 1, counting CRLF lines
	CR   bool // a bare CR came first in the line, not a bare LF
}

func (e *BareNewlineError) Error() string {
	return fmt.Sprintf("%s on line %d of the message text", e.What(), e.Line)
}

// What names the offence: "bare LF" or "bare CR".
func (e *BareNewlineError) What() string {
	if e.CR {
		return "bare CR"
	}
	return "bare LF"
}

// Unwrap lets errors.Is(err, ErrBareNewline) match.
func (e *BareNewlineError) Unwrap() error { return ErrBareNewline }

// NewDotReader returns a DotReader reading from r.
func NewDotReader(r *LineReader) *DotReader { return &DotReader{r: r} }

// ReadDotLine returns the next decoded line without its ending, or io.EOF
// after the terminating ".". The slice is valid until the next call. A
// Strict reader returns lines holding a bare LF or CR as they are, and
// records the first in Bare; it still returns io.EOF at the end.
func (d *DotReader) ReadDotLine() ([]byte, error) {
	if d.done {
		return nil, io.EOF
	}
	if d.Strict {
		saved := d.r.CRLFOnly
		d.r.CRLFOnly = true
		defer func() { d.r.CRLFOnly = saved }()
	}
	line, err := d.r.ReadLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	d.line++
	if d.Strict && d.Bare == nil {
		if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
			d.Bare = &BareNewlineError{Line: d.line, CR: line[i] == '\r'}
		}
	}
	if len(line) > 0 && line[0] == '.' {
		if len(line) == 1 {
			d.done = true
			return nil, io.EOF
		}
		line = line[1:]
	}
	return line, nil
}

// Done reports whether the terminating "." line was read: the data was
// consumed whole and the connection is in step.
func (d *DotReader) Done() bool { return d.done }

// Read implements io.Reader, yielding decoded lines ending in CRLF.
func (d *DotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.buf) == 0 {
			if d.err != nil {
				break
			}
			line, err := d.ReadDotLine()
			if err == nil && d.Bare != nil {
				// Read on to the end, then report the first offence.
				err = d.Drain()
				if err == nil {
					err = d.Bare
				}
			}
			if err != nil {
				d.err = err
				break
			}
			d.n += int64(len(line) + 2)
			if d.Limit > 0 && d.n > d.Limit {
				d.err = ErrTooBig
				d.drain()
				break
			}
			d.store = append(append(d.store[:0], line...), '\r', '\n')
			d.buf = d.store
		}
		c := copy(p[n:], d.buf)
		d.buf = d.buf[c:]
		n += c
	}
	if n > 0 {
		return n, nil
	}
	return 0, d.err
}

// drain consumes the rest of the data up to the terminating line.
func (d *DotReader) drain() {
	for {
		if _, err := d.ReadDotLine(); err != nil {
			if !errors.Is(err, io.EOF) {
				d.err = err
			}
			return
		}
	}
}

// Drain consumes the rest of the data up to and including the terminating
// line, so that the connection is back in step.
func (d *DotReader) Drain() error {
	d.buf = nil
	for {
		if _, err := d.ReadDotLine(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
