package main

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// dialogServer answers one connection: greeting first, then replies[i]
// to the i-th line the client sends. It returns the address and a
// function giving the lines received.
func dialogServer(t *testing.T, greeting string, replies ...string) (string, func() []string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan []string, 1)
	go func() {
		var lines []string
		defer func() { got <- lines }()
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		c.Write([]byte(greeting))
		br := bufio.NewReader(c)
		for _, r := range replies {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines = append(lines, strings.TrimRight(line, "\r\n"))
			c.Write([]byte(r))
		}
	}()
	return l.Addr().String(), func() []string {
		select {
		case lines := <-got:
			return lines
		case <-time.After(30 * time.Second):
			t.Fatal("the server's dialogue did not end")
			return nil
		}
	}
}

// NUL bytes from a server are shown escaped and never reach the terminal:
// a NUL cuts a line short in many terminals and C programs.
func TestHostileNULFromServer(t *testing.T) {
	t.Parallel()
	addr, _ := dialogServer(t, "220 hi\x00there\r\n", "250 o\x00k\r\n", "221 b\x00ye\r\n")
	r := mailsh(t, "NOOP\nQUIT\n", isolatedHome(t), "smtp://"+addr)
	r.must(t, 0, `S: 220 hi\x00there`, `S: 250 o\x00k`, `S: 221 b\x00ye`)
	if strings.ContainsRune(r.stdout+r.stderr, 0) {
		t.Fatalf("raw NUL in the output: %q", r.stdout)
	}
}

// A SASL challenge that is not base64 is not answered with the secret:
// mailsh cancels the exchange with "*" (RFC 4954 §4) and says why.
func TestHostileBadBase64Challenge(t *testing.T) {
	t.Parallel()
	addr, received := dialogServer(t, "220 hi\r\n",
		"250-hi\r\n250 AUTH LOGIN\r\n",
		"334 %%% not base64 %%%\r\n",
		"501 5.7.0 cancelled\r\n",
		"221 bye\r\n")
	r := mailsh(t, "EHLO me\n:auth LOGIN vmc\nQUIT\n", append(isolatedHome(t), "MAILSH_PASSWORD=tanstaaf"), "smtp://"+addr)
	lines := received()
	r.must(t, 0, "S: 334 %%% not base64 %%%", `the challenge is not base64; cancelling with "*"`, "S: 501 5.7.0 cancelled")
	if len(lines) < 3 || lines[2] != "*" {
		t.Fatalf("the server received %q, want \"*\" after AUTH LOGIN", lines)
	}
	if strings.Contains(strings.Join(lines, "\n"), "dm1j") || strings.Contains(strings.Join(lines, "\n"), "dGFuc3RhYWY") {
		t.Fatalf("a credential went out after a bad challenge: %q", lines)
	}
}
