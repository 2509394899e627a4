package proto

import (
	"bytes"
	"errors"
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
}

// ErrTooBig is returned by a DotReader whose Limit was exceeded.
var ErrTooBig = errors.New("data exceeds size limit")

// NewDotReader returns a DotReader reading from r.
func NewDotReader(r *LineReader) *DotReader { return &DotReader{r: r} }

// ReadDotLine returns the next decoded line without its ending, or io.EOF
// after the terminating ".". The slice is valid until the next call.
func (d *DotReader) ReadDotLine() ([]byte, error) {
	if d.done {
		return nil, io.EOF
	}
	line, err := d.r.ReadLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
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

// Read implements io.Reader, yielding decoded lines ending in CRLF.
func (d *DotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.buf) == 0 {
			if d.err != nil {
				break
			}
			line, err := d.ReadDotLine()
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
