// Package prototest plays scripted servers for the tests of the protocol
// engine and of the protocol packages.
package prototest

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"
)

// Serve plays the server's side of script over conn: "S: " lines are
// sent with CRLF, "C: " lines must arrive from the client, "S! close"
// closes and "S! 10ms" waits. It reports any difference, or nil at the
// end, on the channel returned.
func Serve(conn net.Conn, script string) <-chan error {
	errc := make(chan error, 1)
	go func() {
		defer conn.Close()
		br := bufio.NewReader(conn)
		for _, l := range strings.Split(strings.TrimPrefix(script, "\n"), "\n") {
			if l == "" {
				continue
			}
			dir, text := l[:2], strings.TrimPrefix(l[2:], " ")
			switch dir {
			case "S:":
				if _, err := fmt.Fprintf(conn, "%s\r\n", text); err != nil {
					errc <- err
					return
				}
			case "C:":
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				got, err := br.ReadString('\n')
				if err != nil {
					errc <- fmt.Errorf("waiting for %q: %v", text, err)
					return
				}
				if got != text+"\r\n" {
					errc <- fmt.Errorf("client sent %q, want %q", got, text+"\r\n")
					return
				}
			case "S!":
				if text == "close" {
					errc <- nil
					return
				}
				if d, err := time.ParseDuration(text); err == nil {
					time.Sleep(d)
				}
			}
		}
		errc <- nil
	}()
	return errc
}
