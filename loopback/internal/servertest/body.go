package servertest

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// bodyReader yields a message of about size octets, in 76-character
// lines (the last one completed), without holding it in memory.
type bodyReader struct {
	left int64
	line []byte
	pos  int
}

// NewBody returns a message of about size octets: a header, then lines
// of 74 x's.
func NewBody(size int64) io.Reader {
	head := "Subject: bench\r\nDate: Thu, 12 Dec 2002 20:13:17 +0000\r\nMessage-ID: <bench@localhost>\r\n\r\n"
	return &bodyReader{left: size, line: []byte(head)}
}

var benchLine = []byte(strings.Repeat("x", 74) + "\r\n")

func (b *bodyReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if b.pos == len(b.line) {
			if b.left <= 0 {
				break
			}
			b.line, b.pos = benchLine, 0
		}
		c := copy(p[n:], b.line[b.pos:])
		b.pos += c
		n += c
		b.left -= int64(c)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// SendOne delivers one message of size octets to demo@localhost with
// go-smtp over a fresh connection.
func SendOne(tb testing.TB, addr string, size int64) {
	c, err := smtp.Dial(addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("bench@localhost", []string{"demo@localhost"}, NewBody(size)); err != nil {
		tb.Fatal(err)
	}
	c.Quit()
}

// SkipMultiline reads a POP3 status line and a multi-line body up to its
// final ".", without keeping it.
func SkipMultiline(br *bufio.Reader) error {
	first := true
	for {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			_, err = br.ReadSlice('\n')
			line = nil
		}
		if err != nil {
			return err
		}
		if first {
			if !strings.HasPrefix(string(line), "+OK") {
				return io.ErrUnexpectedEOF
			}
			first = false
			continue
		}
		if string(line) == ".\r\n" {
			return nil
		}
	}
}

// SizeName names a size in KiB or MiB, for sub-benchmarks.
func SizeName(n int64) string {
	if n >= 1<<20 {
		return strconv.Itoa(int(n>>20)) + "MiB"
	}
	return strconv.Itoa(int(n>>10)) + "KiB"
}
