package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// fakePeer is a server on 127.0.0.1 for the tests' made-up peers: each
// connection gets greeting, then answer is given every line the client
// sends (its line ending removed), with the connection to reply on and
// its reader for octets that are not lines (a literal); answer returns
// false to close the connection. Each connection may last a minute.
func fakePeer(t *testing.T, greeting string, answer func(c net.Conn, br *bufio.Reader, line string) bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return servePeer(t, l, greeting, answer)
}

// servePeer is fakePeer on a listener of the test's own (TLS, say).
func servePeer(t *testing.T, l net.Listener, greeting string, answer func(c net.Conn, br *bufio.Reader, line string) bool) string {
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(time.Minute))
				io.WriteString(c, greeting)
				br := bufio.NewReader(c)
				for {
					line, err := br.ReadString('\n')
					if err != nil || !answer(c, br, strings.TrimRight(line, "\r\n")) {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}
