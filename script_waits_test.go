package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// pacedReply writes a multi-line reply a line at a time, pausing before
// the last, and reports whether the client sent anything before it had
// the whole reply.
func pacedReply(c net.Conn, br *bufio.Reader, lines ...string) (early string) {
	last := len(lines) - 1
	io.WriteString(c, strings.Join(lines[:last], ""))
	// A client that does not wait sends its next line at once; this one
	// is given 300 ms to do it.
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if b, err := br.Peek(1); err == nil {
		early = string(b)
		if l, err := br.ReadString('\n'); err == nil {
			early = strings.TrimRight(l, "\r\n")
		}
	}
	c.SetReadDeadline(time.Now().Add(time.Minute))
	io.WriteString(c, lines[last])
	return early
}

// Script mode sends a line only once the reply to the last one is
// complete: multi-line replies of SMTP (250-… up to 250 …) and POP3 (up
// to "."), and IMAP's untagged data up to the tagged status.
func TestScriptWaitsForWholeReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, scheme, greeting, script string
		// replies gives the reply to a command, split where the server
		// pauses; commands without one are answered at once.
		replies map[string][]string
		quick   func(line string) string
		want    []string
	}{
		{
			name: "smtp", scheme: "smtp", greeting: "220 paced ESMTP\r\n",
			script:  "EHLO me\nNOOP\nQUIT\n",
			replies: map[string][]string{"EHLO me": {"250-paced greets me\r\n", "250-PIPELINING\r\n", "250 8BITMIME\r\n"}},
			quick: func(line string) string {
				if line == "QUIT" {
					return "221 bye\r\n"
				}
				return "250 ok\r\n"
			},
			want: []string{"S: 250-PIPELINING", "S: 250 8BITMIME", "C: NOOP", "S: 250 ok"},
		},
		{
			name: "pop3", scheme: "pop3", greeting: "+OK paced\r\n",
			script:  "CAPA\nNOOP\nQUIT\n",
			replies: map[string][]string{"CAPA": {"+OK capabilities\r\n", "USER\r\n", "UIDL\r\n", ".\r\n"}},
			quick:   func(line string) string { return "+OK\r\n" },
			want:    []string{"S: UIDL", "S: .", "C: NOOP"},
		},
		{
			name: "imap", scheme: "imap", greeting: "* OK [CAPABILITY IMAP4rev1] paced\r\n",
			script:  "CAPABILITY\nNOOP\nLOGOUT\n",
			replies: map[string][]string{"CAPABILITY": {"* CAPABILITY IMAP4rev1 IDLE\r\n", "* OK still here\r\n", "%s OK CAPABILITY completed\r\n"}},
			quick: func(line string) string {
				if strings.HasSuffix(line, "LOGOUT") {
					return "* BYE\r\n%s OK LOGOUT completed\r\n"
				}
				return "%s OK done\r\n"
			},
			want: []string{"S: * OK still here", "OK CAPABILITY completed", "C: a2 NOOP"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu    sync.Mutex
				early []string
			)
			addr := fakePeer(t, tt.greeting, func(c net.Conn, br *bufio.Reader, line string) bool {
				tag, cmd := "", line
				if tt.scheme == "imap" {
					tag, cmd, _ = strings.Cut(line, " ")
				}
				fill := func(s string) string {
					if strings.Contains(s, "%s") {
						return fmt.Sprintf(s, tag)
					}
					return s
				}
				if r, ok := tt.replies[cmd]; ok {
					var lines []string
					for _, l := range r {
						lines = append(lines, fill(l))
					}
					if e := pacedReply(c, br, lines...); e != "" {
						mu.Lock()
						early = append(early, fmt.Sprintf("%q came before the reply to %s was complete", e, cmd))
						mu.Unlock()
					}
					return true
				}
				io.WriteString(c, fill(tt.quick(cmd)))
				return cmd != "QUIT" && cmd != "LOGOUT"
			})
			r := mailsh(t, tt.script, nil, tt.scheme+"://"+addr)
			r.must(t, 0, tt.want...)
			mu.Lock()
			defer mu.Unlock()
			for _, e := range early {
				t.Error(e)
			}
		})
	}
}
