package loopback

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// fillMaildrop puts n empty files named as deliveries name them into an
// account's new/ (the sizes are in the names; listing reads no file).
func fillMaildrop(tb testing.TB, s *Store, account string, n int) {
	tb.Helper()
	dir := filepath.Join(s.Maildir(account), "new")
	t0 := time.Unix(1700000000, 0)
	for i := range n {
		name := sizedName(s.uniqueName(t0.Add(time.Duration(i)*time.Millisecond)), 4096, 4160)
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkScanMaildrop measures what a POP3 login costs beyond the
// password: listing the maildrop.
func BenchmarkScanMaildrop(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, err := OpenStore(b.TempDir(), []string{"a"})
			if err != nil {
				b.Fatal(err)
			}
			fillMaildrop(b, s, "a", n)
			b.ReportAllocs()
			for b.Loop() {
				msgs, err := s.scanMaildrop("a")
				if err != nil || len(msgs) != n {
					b.Fatal(len(msgs), err)
				}
			}
		})
	}
}

// BenchmarkPOP3Session logs in to a maildrop of 10,000 messages of 4 KB
// and retrieves them all, pipelined a hundred at a time: the login (with
// the listing kept from the session before) and RETR's cost per message.
func BenchmarkPOP3Session(b *testing.B) {
	ts := startServer(b, nil)
	s, err := OpenStore(ts.Root, nil)
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
	t0 := time.Unix(1700000000, 0)
	for i := range n {
		name := sizedName(s.uniqueName(t0.Add(time.Duration(i)*time.Millisecond)), int64(len(body)), int64(len(body)+54))
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
				c := dial(b, ts.Addrs[POP3])
				c.line()
				c.send("USER demo\r\nPASS secret\r\n")
				c.line()
				c.line()
				if retr {
					for i := 1; i <= n; i += 100 {
						var cmds []byte
						for j := i; j < i+100 && j <= n; j++ {
							cmds = append(cmds, "RETR "+strconv.Itoa(j)+"\r\n"...)
						}
						c.send(string(cmds))
						for j := i; j < i+100 && j <= n; j++ {
							if err := skipMultiline(c.br); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
				c.send("QUIT\r\n")
				c.line()
				c.conn.Close()
			}
		})
	}
}
