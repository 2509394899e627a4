package imap

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// crlfByRule is the rule crlfReader follows, a byte at a time: an LF not
// after a CR becomes CRLF, a CR not before an LF stays, and a text that
// does not end in LF gets a line ending (just LF after a final CR).
func crlfByRule(in []byte) []byte {
	var out []byte
	var prev byte
	for _, b := range in {
		if b == '\n' && prev != '\r' {
			out = append(out, '\r')
		}
		out = append(out, b)
		prev = b
	}
	switch {
	case len(in) == 0 || prev == '\n':
	case prev == '\r':
		out = append(out, '\n')
	default:
		out = append(out, '\r', '\n')
	}
	return out
}

// oneByteReader gives one byte a Read, so that the bufio.Reader under a
// crlfReader holds little at a time.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(1, len(p))]) }

func TestCRLFReader(t *testing.T) {
	cases := []string{
		"", "\n", "\r", "\r\n", "\n\n", "\r\r", "\r\r\n", "a", "a\n", "a\r", "a\r\n",
		"a\nb", "a\r\nb\r", "\n\r", "x\r\ry\n\nz", "Subject: s\n\nbody\nlast",
		strings.Repeat("0123456789\n", 10000),
		strings.Repeat("line\r\n", 5000) + "tail",
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		b := make([]byte, rnd.IntN(300))
		for i := range b {
			b[i] = "ab\r\n"[rnd.IntN(4)]
		}
		cases = append(cases, string(b))
	}
	for _, in := range cases {
		want := crlfByRule([]byte(in))
		for _, size := range []int{1, 2, 3, 7, 4096} {
			for _, slow := range []bool{false, true} {
				var src io.Reader = strings.NewReader(in)
				if slow {
					src = oneByteReader{src}
				}
				c := &crlfReader{r: bufio.NewReaderSize(src, 16)}
				var got bytes.Buffer
				p := make([]byte, size)
				for {
					n, err := c.Read(p)
					got.Write(p[:n])
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						t.Fatalf("%q: Read returned 0, nil", in)
					}
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("%q (reads of %d, slow %v): got %q, want %q", in, size, slow, got.Bytes(), want)
				}
			}
		}
	}
}
