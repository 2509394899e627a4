package main

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP is a small scripted SMTP server for the terminal tests: it
// advertises the given extensions, accepts everything, records what it
// receives, and can push an unsolicited line to the client on demand.
type fakeSMTP struct {
	Addr string
	Ext  []string

	mu    sync.Mutex
	lines []string // every line received, as on the wire
	conns []net.Conn
}

func startFakeSMTP(t testing.TB, ext ...string) *fakeSMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{Addr: l.Addr().String(), Ext: ext}
	t.Cleanup(func() {
		l.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	w := func(s string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		c.Write([]byte(s + "\r\n"))
	}
	w("220 fake.example ESMTP ready")
	br := bufio.NewReader(c)
	inData := false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		f.mu.Lock()
		f.lines = append(f.lines, line)
		f.mu.Unlock()
		if inData {
			if line == "." {
				inData = false
				w("250 2.0.0 queued")
			}
			continue
		}
		verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
		switch verb {
		case "EHLO":
			w("250-fake.example")
			for _, e := range f.Ext {
				w("250-" + e)
			}
			w("250 8BITMIME")
		case "HELO":
			w("250 fake.example")
		case "DATA":
			inData = true
			w("354 go ahead")
		case "AUTH":
			if strings.Contains(line, " ") && len(strings.Fields(line)) == 3 {
				w("235 2.7.0 ok")
			} else {
				w("334 VXNlcm5hbWU6")
				br.ReadString('\n')
				w("334 UGFzc3dvcmQ6")
				pw, _ := br.ReadString('\n')
				f.mu.Lock()
				f.lines = append(f.lines, strings.TrimSpace(pw))
				f.mu.Unlock()
				w("235 2.7.0 ok")
			}
		case "QUIT":
			w("221 2.0.0 bye")
			return
		default:
			w("250 2.0.0 ok")
		}
	}
}

// push sends a line to every connected client, unasked.
func (f *fakeSMTP) push(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Write([]byte(s + "\r\n"))
	}
}

// received reports whether the server got this exact line.
func (f *fakeSMTP) received(line string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.lines {
		if l == line {
			return true
		}
	}
	return false
}

func (f *fakeSMTP) all() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.lines, "\n")
}
