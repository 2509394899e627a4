package prototest

import (
	"bufio"
	"bytes"
	"net"
	"time"
)

// Endless plays a hostile server over conn: it sends head, answers
// one command with reply if reply is set, and then up to total bytes of
// "x" without a line feed. It reports how many of those bytes the client
// took before it stopped reading.
func Endless(conn net.Conn, head, reply string, total int) <-chan int {
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
