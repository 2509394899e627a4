package loopback

import (
	"bufio"
	"io"
	"runtime"
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

func newBody(size int64) *bodyReader {
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

// send delivers one message of size octets with go-smtp over a fresh
// connection.
func sendOne(tb testing.TB, addr string, size int64) {
	c, err := smtp.Dial(addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("bench@localhost", []string{"demo@localhost"}, newBody(size)); err != nil {
		tb.Fatal(err)
	}
	c.Quit()
}

// BenchmarkDelivery measures SMTP delivery throughput: DATA, dot-unstuffing,
// header checks, the write to tmp/, fsync, rename and directory fsync.
func BenchmarkDelivery(b *testing.B) {
	for _, size := range []int64{4 << 10, 1 << 20} {
		b.Run(sizeName(size), func(b *testing.B) {
			ts := startServer(b, func(c *Config) { c.Limits.MaxMessageSize = 64 << 20 })
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				sendOne(b, ts.Addrs[SMTP], size)
			}
		})
	}
}

// BenchmarkRETR measures POP3 retrieval: the file streamed through
// proto's DotWriter. Allocations per operation stay the same whatever the
// message's size: nothing holds a whole message.
func BenchmarkRETR(b *testing.B) {
	for _, size := range []int64{1 << 20, 16 << 20} {
		b.Run(sizeName(size), func(b *testing.B) {
			ts := startServer(b, func(c *Config) { c.Limits.MaxMessageSize = 64 << 20 })
			sendOne(b, ts.Addrs[SMTP], size)
			c := dial(b, ts.Addrs[POP3])
			c.line()
			c.send("USER demo\r\nPASS secret\r\n")
			c.line()
			c.line()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				c.send("RETR 1\r\n")
				if err := skipMultiline(c.br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// skipMultiline reads a POP3 status line and a multi-line body up to its
// final ".", without keeping it.
func skipMultiline(br *bufio.Reader) error {
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

func sizeName(n int64) string {
	if n >= 1<<20 {
		return itoa(int(n>>20)) + "MiB"
	}
	return itoa(int(n>>10)) + "KiB"
}

// A 20 MB message goes in and out without the server holding it: the
// memory allocated while it passes is a small fraction of its size. This
// counts bytes allocated, not time.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB message")
	}
	const size = 20 << 20
	ts := startServer(t, nil)
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	in := allocated(func() {
		c := dial(t, ts.Addrs[SMTP])
		c.line()
		c.send("HELO me\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<demo@localhost>\r\nDATA\r\n")
		for i := 0; i < 4; i++ {
			c.line()
		}
		w := bufio.NewWriterSize(c.conn, 64<<10)
		io.Copy(w, newBody(size))
		w.WriteString(".\r\n")
		w.Flush()
		if l := c.line(); !strings.HasPrefix(l, "250 ") {
			t.Fatal(l)
		}
	})
	out := allocated(func() {
		c := dial(t, ts.Addrs[POP3])
		c.line()
		c.send("USER demo\r\nPASS secret\r\nRETR 1\r\n")
		c.line()
		c.line()
		if err := skipMultiline(c.br); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocated %d KiB delivering and %d KiB retrieving a %d MiB message", in>>10, out>>10, size>>20)
	if in > size/8 || out > size/8 {
		t.Errorf("allocated %d and %d bytes for a %d-byte message: is it read whole?", in, out, size)
	}
}
