package loopback

import (
	"bufio"
	"bytes"
	"fmt"
)

// lfWriter turns a message's CRLF line endings (as the mail protocols
// carry it, RFC 5321 §2.3.8) into the LF endings Maildir files hold, and
// counts what it writes: Size, the bytes in the file, and VSize, the
// octets a client is sent for them (RFC 1939 §11's count, by popSize from
// the bytes written, so that the ",W=" of the name is what a client is
// sent, whatever the message held).
// A CR that is not followed by LF is kept; one that comes right before a
// CRLF is kept too, written "\r\r\n", since "\r\n" in the file is read
// back as a line ending alone. Lines longer than MaxLine octets, counted
// with their CRLF as RFC 5321 §4.5.3.1.6 counts them, give a
// *LineLengthError.
type lfWriter struct {
	w       *bufio.Writer
	MaxLine int // 0: no limit

	Size, VSize int64
	vs          popSize
	pendCR      bool // the last byte seen was a CR not yet written
	lineLen     int  // octets of the current line so far
	lineNo      int  // the current line's number, from 1
	err         error
}

// One-byte slices for line endings, allocated once.
var (
	lfByte    = []byte{'\n'}
	crByte    = []byte{'\r'}
	crlfBytes = []byte{'\r', '\n'}
)

func newLFWriter(w *bufio.Writer, maxLine int) *lfWriter {
	return &lfWriter{w: w, MaxLine: maxLine, lineNo: 1}
}

// LineLengthError reports a line of the message longer than the limit.
type LineLengthError struct {
	Line int // its number, from 1
	Max  int // the limit in octets, with CRLF
}

func (e *LineLengthError) Error() string {
	return fmt.Sprintf("line %d of the message is longer than %d octets", e.Line, e.Max)
}

// Write converts p and writes it on.
func (l *lfWriter) Write(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n := len(p)
	for len(p) > 0 {
		if l.pendCR {
			l.pendCR = false
			if p[0] == '\n' {
				if l.vs.last == '\r' {
					l.emit(crlfBytes, 2)
				} else {
					l.emit(lfByte, 2)
				}
				p = p[1:]
				l.newLine()
				continue
			}
			l.emit(crByte, 1)
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			l.emit(p, len(p))
			break
		}
		l.emit(p[:i], i)
		switch p[i] {
		case '\r':
			l.pendCR = true
		case '\n':
			// A bare LF: stored as is, read back as CRLF (after a
			// stored CR, as CRLF, so that CR stays bare).
			if l.vs.last == '\r' {
				l.emit(crlfBytes, 2)
			} else {
				l.emit(p[i:i+1], 2)
			}
			l.newLine()
		}
		p = p[i+1:]
	}
	return n, l.err
}

// emit writes b, which stands for wire octets of the message as the
// protocols carry it (2 for a stored LF, CRLF on the wire).
func (l *lfWriter) emit(b []byte, wire int) {
	if l.err != nil || len(b) == 0 {
		return
	}
	l.lineLen += wire
	if l.MaxLine > 0 && l.lineLen > l.MaxLine {
		l.err = &LineLengthError{Line: l.lineNo, Max: l.MaxLine}
		return
	}
	if _, err := l.w.Write(b); err != nil {
		l.err = err
		return
	}
	l.Size += int64(len(b))
	l.vs.add(b)
	l.VSize = l.vs.total()
}

func (l *lfWriter) newLine() { l.lineLen = 0; l.lineNo++ }

// Flush writes a CR held back at the end and flushes the buffer.
func (l *lfWriter) Flush() error {
	if l.pendCR {
		l.pendCR = false
		l.emit(crByte, 1)
	}
	if l.err != nil {
		return l.err
	}
	return l.w.Flush()
}
