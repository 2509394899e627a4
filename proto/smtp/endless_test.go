package smtp

import (
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"

	"github.com/mailsh/mailsh/proto/prototest"
)

// endlessPeer plays a hostile server that sends an endless line (see
// prototest.Endless).
func endlessPeer(conn net.Conn, head, reply string, total int) <-chan int {
	return prototest.Endless(conn, head, reply, total)
}

// TestEndlessLine: a server that sends 50 MB without a line feed — in the
// greeting, in a continuation line, in a POP3 body — gets "line too long"
// at once, and the client reads little more than proto.MaxLine of it.
func TestEndlessLine(t *testing.T) {
	const total = 50 << 20
	tests := []struct {
		name        string
		p           proto.Protocol
		head, reply string
		command     string
	}{
		{name: "SMTP greeting", head: "220 "},
		{name: "SMTP continuation", head: "220-first\r\n220 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := net.Pipe()
			taken := endlessPeer(sc, tt.head, tt.reply, total)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			c := proto.NewClientOf(cc, tt.p, nil, proto.Registry{Protocol})
			c.Timeout = 10 * time.Second
			rep, err := c.Greeting()
			if tt.command != "" {
				if err != nil {
					t.Fatalf("greeting: %v", err)
				}
				_, rep, err = c.Command(tt.command)
			}
			elapsed := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			c.Close()
			n := <-taken
			if !errors.Is(err, proto.ErrLineTooLong) || !strings.Contains(err.Error(), "line too long: ") {
				t.Fatalf("reply %v, error %v; want line too long", rep, err)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if limit := proto.MaxLine + 512<<10; n > limit {
				t.Errorf("the client read %d bytes of the endless line, more than %d", n, limit)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}
