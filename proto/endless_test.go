package proto

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// endlessPeer plays a hostile server over conn: it sends head, answers
// one command with reply if reply is set, and then up to total bytes of
// "x" without a line feed. It reports how many of those bytes the client
// took before it stopped reading.
func endlessPeer(conn net.Conn, head, reply string, total int) <-chan int {
	taken := make(chan int, 1)
	go func() {
		defer conn.Close()
		sent := 0
		defer func() { taken <- sent }()
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := conn.Write([]byte(head)); err != nil {
			return
		}
		if reply != "" {
			if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
				return
			}
			if _, err := conn.Write([]byte(reply)); err != nil {
				return
			}
		}
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for sent < total {
			n, err := conn.Write(chunk)
			sent += n
			if err != nil {
				return
			}
		}
	}()
	return taken
}

// TestEndlessLine: a server that sends 50 MB without a line feed — in the
// greeting, in a continuation line, in a POP3 body — gets "line too long"
// at once, and the client reads little more than MaxLine of it.
func TestEndlessLine(t *testing.T) {
	const total = 50 << 20
	tests := []struct {
		name        string
		p           Protocol
		head, reply string
		command     string
	}{
		{name: "SMTP greeting", head: "220 "},
		{name: "SMTP continuation", head: "220-first\r\n220 "},
		{name: "POP3 greeting", head: "+OK "},
		{name: "POP3 body", p: POP3, head: "+OK ready\r\n", reply: "+OK 52428800 octets\r\n", command: "RETR 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := net.Pipe()
			taken := endlessPeer(sc, tt.head, tt.reply, total)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			c := NewClient(cc, tt.p, nil)
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
			if !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "line too long: ") {
				t.Fatalf("reply %v, error %v; want line too long", rep, err)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if limit := MaxLine + 512<<10; n > limit {
				t.Errorf("the client read %d bytes of the endless line, more than %d", n, limit)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}
