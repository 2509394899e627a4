package main

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// stallingSMTP is an SMTP server that greets, answers EHLO, and answers
// NOOP only when told to: the client is left waiting for the reply.
type stallingSMTP struct {
	addr    string
	noop    chan struct{} // a NOOP arrived
	release chan string   // the reply to send to it
	closed  chan struct{} // the client closed the connection
}

func startStallingSMTP(t *testing.T) *stallingSMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &stallingSMTP{addr: l.Addr().String(), noop: make(chan struct{}, 4), release: make(chan string, 1), closed: make(chan struct{})}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer close(s.closed)
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Minute))
		c.Write([]byte("220 stall.example ESMTP\r\n"))
		// The lines are read on their own, so that a close is seen
		// while a reply is held back.
		lines, done := make(chan string), make(chan struct{})
		defer close(done)
		go func() {
			defer close(lines)
			br := bufio.NewReader(c)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				select {
				case lines <- line:
				case <-done:
					return
				}
			}
		}()
		for line := range lines {
			switch verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(line)), " "); verb {
			case "EHLO":
				c.Write([]byte("250 stall.example\r\n"))
			case "NOOP":
				s.noop <- struct{}{}
				select {
				case r := <-s.release:
					c.Write([]byte(r + "\r\n"))
				case <-lines: // a close, or a line that should not come
					return
				case <-time.After(time.Minute):
					return
				}
			case "QUIT":
				c.Write([]byte("221 bye\r\n"))
				return
			default:
				c.Write([]byte("250 ok\r\n"))
			}
		}
	}()
	return s
}

// waitNOOP waits until the server has the NOOP: the line editor has
// given the terminal back, so Ctrl-C is a signal, not a key.
func (s *stallingSMTP) waitNOOP(t *testing.T) {
	t.Helper()
	select {
	case <-s.noop:
	case <-time.After(15 * time.Second):
		t.Fatal("the server never got the NOOP")
	}
}

// Ctrl-C while waiting for the server's reply says so and keeps the
// connection (the late reply still comes); a second Ctrl-C closes it.
func TestKeysCtrlCWhileWaiting(t *testing.T) {
	t.Parallel()
	srv := startStallingSMTP(t)
	tt := startTTY(t, isolatedHome(t), "smtp://"+srv.addr)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 stall.example", "mail>")
	const waiting = "waiting for the server; press Ctrl-C again to close the connection"

	tt.send("NOOP\r")
	srv.waitNOOP(t)
	tt.send("\x03")
	tt.waitFor(waiting)
	srv.release <- "250 2.0.0 late but here"
	tt.waitUntil("the late reply, then a prompt", func(s string) bool {
		return strings.Contains(s, "250 2.0.0 late but here") && strings.HasSuffix(tt.lastLine(), "mail>")
	})

	tt.send("NOOP\r")
	srv.waitNOOP(t)
	tt.send("\x03")
	tt.waitUntil("the note said again", func(s string) bool { return strings.Count(s, waiting) == 2 })
	tt.send("\x03")
	tt.waitFor("closing the connection")
	tt.waitPrompt("(not connected)>")
	select {
	case <-srv.closed:
	case <-time.After(15 * time.Second):
		t.Fatal("the connection is still open after the second Ctrl-C")
	}
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}
