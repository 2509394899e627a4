package proto

import (
	"bytes"
	"io"
)

// lineCap stops a server that sends an endless line. LineReader reports a
// line over its cap, but then skips the rest of the line so as to stay in
// step, and so reads for as long as the server keeps sending: a hostile
// server kept a client busy reading gigabytes until the reply timed out.
// A client has no use for the rest of a line it cannot read (the session
// is botched after it), so the client's reader fails once more than max
// bytes have come without a line feed.
//
// It also notes when octets last arrived (arrived), once a read rather
// than once a line: a body of a million lines comes in a few thousand
// reads, and the clock is not free.
type lineCap struct {
	r       io.Reader
	max     int
	run     int // bytes read since the last LF
	arrived func()
}

// newLineCap caps lines read through r at MaxLine, with room for the
// LineReader's buffer, so that the LineReader always sees the long line
// first and this cap only cuts the skipping short. arrived, if not nil,
// is called after each read that brings octets.
func newLineCap(r io.Reader, arrived func()) *lineCap {
	return &lineCap{r: r, max: MaxLine + 2 + lineBufSize, arrived: arrived}
}

// lineBufSize is the size of the client's read buffer.
const lineBufSize = 64 << 10

func (l *lineCap) Read(p []byte) (int, error) {
	if l.run > l.max {
		return 0, &LineTooLongError{Max: MaxLine}
	}
	n, err := l.r.Read(p)
	if n > 0 && l.arrived != nil {
		l.arrived()
	}
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		l.run = n - i - 1
	} else {
		l.run += n
	}
	return n, err
}
