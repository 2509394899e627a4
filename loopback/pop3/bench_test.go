package pop3

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// BenchmarkRETR measures POP3 retrieval: the file streamed through
// proto's DotWriter. Allocations per operation stay the same whatever the
// message's size: nothing holds a whole message.
func BenchmarkRETR(b *testing.B) {
	for _, size := range []int64{1 << 20, 16 << 20} {
		b.Run(servertest.SizeName(size), func(b *testing.B) {
			ts := startServer(b, func(c *loopback.Config) { c.Limits.MaxMessageSize = 64 << 20 })
			servertest.SendOne(b, ts.Addrs[smtpserver.Service], size)
			c := servertest.Dial(b, ts.Addrs[Service])
			c.Line()
			c.Send("USER demo\r\nPASS secret\r\n")
			c.Line()
			c.Line()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				c.Send("RETR 1\r\n")
				if err := servertest.SkipMultiline(c.BR); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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
		c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
		c.Line()
		c.Send("HELO me\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<demo@localhost>\r\nDATA\r\n")
		for i := 0; i < 4; i++ {
			c.Line()
		}
		w := bufio.NewWriterSize(c.Conn, 64<<10)
		io.Copy(w, servertest.NewBody(size))
		w.WriteString(".\r\n")
		w.Flush()
		if l := c.Line(); !strings.HasPrefix(l, "250 ") {
			t.Fatal(l)
		}
	})
	out := allocated(func() {
		c := servertest.Dial(t, ts.Addrs[Service])
		c.Line()
		c.Send("USER demo\r\nPASS secret\r\nRETR 1\r\n")
		c.Line()
		c.Line()
		if err := servertest.SkipMultiline(c.BR); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("allocated %d KiB delivering and %d KiB retrieving a %d MiB message", in>>10, out>>10, size>>20)
	if in > size/8 || out > size/8 {
		t.Errorf("allocated %d and %d bytes for a %d-byte message: is it read whole?", in, out, size)
	}
}

// BenchmarkPOP3Session logs in to a maildrop of 10,000 messages of 4 KB
// and retrieves them all, pipelined a hundred at a time: the login (with
// the listing kept from the session before) and RETR's cost per message.
func BenchmarkPOP3Session(b *testing.B) {
	ts := startServer(b, nil)
	s, err := loopback.OpenStore(ts.Root, nil)
	if err != nil {
		b.Fatal(err)
	}
	const n = 10000
	dir := filepath.Join(s.Maildir("demo"), "new")
	body := make([]byte, 4096)
	for i := range body {
		body[i] = 'x'
		if i%76 == 75 {
			body[i] = '\n'
		}
	}
	body[len(body)-1] = '\n'
	for range n {
		name := loopback.SizedName(s.UniqueName(), int64(len(body)), int64(len(body)+54))
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	// As if delivered a while ago: the listing is kept from then on.
	old := time.Now().Add(-time.Minute)
	os.Chtimes(dir, old, old)
	os.Chtimes(filepath.Join(s.Maildir("demo"), "cur"), old, old)
	for _, retr := range []bool{false, true} {
		name := "login"
		if retr {
			name = "retr-all"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				c := servertest.Dial(b, ts.Addrs[Service])
				c.Line()
				c.Send("USER demo\r\nPASS secret\r\n")
				c.Line()
				c.Line()
				if retr {
					for i := 1; i <= n; i += 100 {
						var cmds []byte
						for j := i; j < i+100 && j <= n; j++ {
							cmds = append(cmds, "RETR "+strconv.Itoa(j)+"\r\n"...)
						}
						c.Send(string(cmds))
						for j := i; j < i+100 && j <= n; j++ {
							if err := servertest.SkipMultiline(c.BR); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
				c.Send("QUIT\r\n")
				c.Line()
				c.Conn.Close()
			}
		})
	}
}
