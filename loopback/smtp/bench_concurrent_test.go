package smtp

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mailsh/mailsh/loopback"
)

// BenchmarkDeliveryConcurrent delivers 1 KB messages from many sessions at
// once, one message per connection, as Postfix's smtp-source does: the
// case group commit is for. Run it with -cpuprofile to see where a
// delivery's time goes.
func BenchmarkDeliveryConcurrent(b *testing.B) {
	for _, sessions := range []int{1, 20, 200} {
		b.Run(strconv.Itoa(sessions), func(b *testing.B) {
			ts := startServer(b, func(c *loopback.Config) {
				c.Limits.MaxConnections = 512
				c.Limits.MaxClientConnections = 512
			})
			body := strings.Repeat(strings.Repeat("x", 78)+"\r\n", 13)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			for range sessions {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if err := sendRaw(ts.Addrs[Service], body); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// sendRaw sends one message over a fresh connection, pipelining nothing,
// and checks the 250 after the data.
func sendRaw(addr, body string) error {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	step := func(cmd string) error {
		if cmd != "" {
			if _, err := conn.Write([]byte(cmd)); err != nil {
				return err
			}
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return err
			}
			if len(l) < 4 || l[0] >= '4' {
				return &net.AddrError{Err: strings.TrimSpace(l), Addr: cmd}
			}
			if l[3] == ' ' {
				return nil
			}
		}
	}
	for _, c := range []string{"", "HELO bench\r\n", "MAIL FROM:<bench@localhost>\r\n", "RCPT TO:<alice@localhost>\r\n", "DATA\r\n", "Subject: bench\r\n\r\n" + body + ".\r\n", "QUIT\r\n"} {
		if err := step(c); err != nil {
			return err
		}
	}
	return nil
}
