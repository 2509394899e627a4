package proto

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxLine is the default cap on one line read from a peer. RFC 5321
// §4.5.3.1.5 and §4.5.3.1.6 set 512 and 1000 octets, but real servers send
// longer lines, so the cap is generous; it exists so that a hostile peer
// cannot make the reader grow without bound.
const MaxLine = 1 << 20

// LineTooLongError reports a line longer than the reader's cap.
type LineTooLongError struct{ Max int }

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("line too long: more than %d bytes without a line ending", e.Max)
}

// Unwrap lets errors.Is(err, ErrLineTooLong) match.
func (e *LineTooLongError) Unwrap() error { return ErrLineTooLong }

// LineReader reads CRLF- or LF-terminated lines with a cap on their length.
// Unlike textproto.Reader.ReadLine it never buffers more than the cap.
//
// By default it is lenient, as a client must be with real servers' replies:
// a bare LF ends a line too. With CRLFOnly set, only CRLF ends a line (RFC
// 5321 §2.3.8), and a bare LF or bare CR stays inside the line returned;
// a server reading message text needs that, since a reader that takes
// <LF>.<LF> for the end of the data while the next hop does not is how
// SMTP smuggling works (CVE-2023-51764, CVE-2023-51765).
type LineReader struct {
	R   *bufio.Reader
	Max int // cap on a line's length without its ending; 0 means MaxLine
	// CRLFOnly makes CRLF the only line ending.
	CRLFOnly bool

	buf []byte
}

// NewLineReader returns a LineReader over r with the default cap.
func NewLineReader(r io.Reader) *LineReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &LineReader{R: br}
}

// ReadLine returns the next line without its line ending. The slice is valid
// only until the next call. A connection that ends in the middle of a line
// gives io.ErrUnexpectedEOF; one that ends between lines gives io.EOF.
func (r *LineReader) ReadLine() ([]byte, error) {
	max := r.Max
	if max <= 0 {
		max = MaxLine
	}
	r.buf = r.buf[:0]
	var line []byte
	for {
		frag, err := r.R.ReadSlice('\n')
		if err == nil && len(r.buf) == 0 && (!r.CRLFOnly || endsCRLF(frag)) {
			line = frag // common case: the whole line is in the buffer
		} else {
			r.buf = append(r.buf, frag...)
			line = r.buf
		}
		// Two bytes more for CRLF.
		if len(line) > max+2 || (err != nil && len(line) > max+1) {
			r.discardLine(line, err)
			return nil, &LineTooLongError{Max: max}
		}
		if err == nil {
			if !r.CRLFOnly || endsCRLF(line) {
				break
			}
			continue // a bare LF: the line goes on
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	n := len(line) - 1 // drop LF
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	return line[:n], nil
}

func endsCRLF(line []byte) bool {
	n := len(line)
	return n >= 2 && line[n-2] == '\r' && line[n-1] == '\n'
}

// discardLine skips the rest of an over-long line so that the reader stays
// in step if the caller chooses to go on. With CRLFOnly the line ends at a
// CRLF, not at the first LF: otherwise a long line ending in a bare LF
// would let the next line pass for the end of the data.
func (r *LineReader) discardLine(last []byte, err error) {
	// The last two octets seen, for a CRLF split between reads.
	var tail [2]byte
	if n := len(last); n >= 2 {
		tail = [2]byte{last[n-2], last[n-1]}
	} else if n == 1 {
		tail[1] = last[0]
	}
	r.buf = r.buf[:0]
	for {
		if err == nil && (!r.CRLFOnly || tail == [2]byte{'\r', '\n'}) {
			return
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
		var frag []byte
		frag, err = r.R.ReadSlice('\n')
		switch n := len(frag); {
		case n >= 2:
			tail = [2]byte{frag[n-2], frag[n-1]}
		case n == 1:
			tail = [2]byte{tail[1], frag[0]}
		}
	}
}
