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
type LineReader struct {
	R   *bufio.Reader
	Max int // cap on a line's length without its ending; 0 means MaxLine

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
		if err == nil && len(r.buf) == 0 {
			line = frag // common case: the whole line is in the buffer
		} else {
			r.buf = append(r.buf, frag...)
			line = r.buf
		}
		// Two bytes more for CRLF.
		if len(line) > max+2 || (err != nil && len(line) > max+1) {
			r.discardLine(err)
			return nil, &LineTooLongError{Max: max}
		}
		if err == nil {
			break
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

// discardLine skips the rest of an over-long line so that the reader stays
// in step if the caller chooses to go on.
func (r *LineReader) discardLine(err error) {
	r.buf = r.buf[:0]
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.R.ReadSlice('\n')
	}
}
