package shell

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
	"github.com/mailsh/mailsh/protocols"
	"github.com/mailsh/mailsh/transcript"
)

// authPeer is a server on 127.0.0.1 that answers each line it receives
// from a table of replies keyed by the line's position after the
// greeting; lines past the table get "250 ok" (SMTP) or "+OK" (POP3), and
// QUIT ends the connection. It records every line that arrives.
type authPeer struct {
	addr string

	mu    sync.Mutex
	lines []string
}

func startAuthPeer(t *testing.T, greeting string, replies map[string]string, other, bye string) *authPeer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &authPeer{addr: l.Addr().String()}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte(greeting + "\r\n"))
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			if strings.EqualFold(line, "QUIT") {
				c.Write([]byte(bye + "\r\n"))
				return
			}
			rep, ok := replies[line]
			if !ok {
				rep = other
			}
			c.Write([]byte(strings.ReplaceAll(rep, "\n", "\r\n") + "\r\n"))
		}
	}()
	return p
}

func (p *authPeer) received() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// runScriptAgainst runs script in script mode against addr, recording a
// transcript, and returns the exit status, what was printed and the
// transcript.
func runScriptAgainst(t *testing.T, p proto.Protocol, addr, script string) (int, string, string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	pn, err := proto.ParsePort(port)
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	pr := NewPrinter(&out, false)
	pr.Prefix, pr.Echo = true, true
	s := &Session{Target: proto.Target{Proto: p, Host: host, Port: pn}, P: pr, Secrets: ScriptSecrets{File: filepath.Join(t.TempDir(), "none")}}
	path := filepath.Join(t.TempDir(), "session.transcript")
	if err := s.StartTranscript(path, transcript.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := proto.Dial(ctx, s.Target, proto.DialOptions{Timeout: 5 * time.Second, Observe: s.Observe, Protocols: protocols.All})
	if err != nil {
		t.Fatal(err)
	}
	s.Client = c
	code := RunScript(ctx, s, strings.NewReader(script), &errw)
	s.Close()
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return code, out.String() + errw.String(), string(rec)
}

// TestRefusedAuthKeepsAnswers: the lines a script wrote as SASL answers
// stay secret when the server refuses the AUTH, or ends the exchange
// early: they reach neither the server nor the screen nor the transcript.
func TestRefusedAuthKeepsAnswers(t *testing.T) {
	t.Parallel()
	const (
		user = "YWxpY2U="     // alice
		pass = "czNjcmV0LVB3" // s3cret-Pw
		ir   = "AGFsaWNlAHMzY3JldC1QdzE="
	)
	tests := []struct {
		name     string
		proto    proto.Protocol
		greeting string
		replies  map[string]string
		other    string
		bye      string
		script   string
		secrets  []string // must not appear anywhere
		want     string   // what the server must have received
	}{
		{
			name: "538 to AUTH LOGIN", proto: smtp.Protocol, greeting: "220 fake ESMTP",
			replies: map[string]string{"AUTH LOGIN": "538 5.7.11 Encryption required for requested authentication mechanism"},
			other:   "250 ok", bye: "221 bye",
			script:  "EHLO me\nAUTH LOGIN\n" + user + "\n" + pass + "\nNOOP\nQUIT\n",
			secrets: []string{user, pass},
			want:    "EHLO me\nAUTH LOGIN\nNOOP\nQUIT",
		},
		{
			name: "503 to AUTH LOGIN", proto: smtp.Protocol, greeting: "220 fake ESMTP",
			replies: map[string]string{"AUTH LOGIN": "503 5.5.1 Already authenticated"},
			other:   "250 ok", bye: "221 bye",
			script:  "EHLO me\nAUTH LOGIN\n" + user + "\r\n" + pass + "\r\nMAIL FROM:<a@example.com>\nQUIT\n",
			secrets: []string{user, pass},
			want:    "EHLO me\nAUTH LOGIN\nMAIL FROM:<a@example.com>\nQUIT",
		},
		{
			name: "535 after the user name", proto: smtp.Protocol, greeting: "220 fake ESMTP",
			replies: map[string]string{"AUTH LOGIN": "334 VXNlcm5hbWU6", user: "535 5.7.8 no such user"},
			other:   "250 ok", bye: "221 bye",
			script:  "EHLO me\nAUTH LOGIN\n" + user + "\n" + pass + "\nQUIT\n",
			secrets: []string{pass},
			want:    "EHLO me\nAUTH LOGIN\n" + user + "\nQUIT",
		},
		{
			name: "POP3 -ERR to AUTH PLAIN", proto: pop3.Protocol, greeting: "+OK ready",
			replies: map[string]string{"AUTH PLAIN": "-ERR [AUTH] mechanism not available"},
			other:   "+OK", bye: "+OK bye",
			script:  "AUTH PLAIN\n" + ir + "\nUSER alice\nQUIT\n",
			secrets: []string{ir},
			want:    "AUTH PLAIN\nUSER alice\nQUIT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			peer := startAuthPeer(t, tt.greeting, tt.replies, tt.other, tt.bye)
			code, out, rec := runScriptAgainst(t, tt.proto, peer.addr, tt.script)
			if code != 0 {
				t.Errorf("exit status %d\n%s", code, out)
			}
			if got := peer.received(); got != tt.want {
				t.Errorf("server received:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, sec := range tt.secrets {
				if strings.Contains(out, sec) {
					t.Errorf("answer %s printed:\n%s", sec, out)
				}
				if strings.Contains(rec, sec) {
					t.Errorf("answer %s in the transcript:\n%s", sec, rec)
				}
			}
			if !strings.Contains(out, "not sent: taken as SASL answers") {
				t.Errorf("no note about the lines kept back:\n%s", out)
			}
		})
	}
}

func TestIsSASLAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    proto.Protocol
		line string
		want bool
	}{
		{smtp.Protocol, "YWxpY2U=", true},
		{smtp.Protocol, "czNjcmV0LVB3", true},
		{smtp.Protocol, "", true},
		{smtp.Protocol, "*", true},
		{smtp.Protocol, "=", true},
		{smtp.Protocol, "QUIT", false},
		{smtp.Protocol, "quit", false},
		{smtp.Protocol, "RSET", false},
		{smtp.Protocol, "MAIL FROM:<a@b>", false},
		{smtp.Protocol, ":state", false},
		{pop3.Protocol, "STAT", false},
		{pop3.Protocol, "USER alice", false},
		{pop3.Protocol, "AGFsaWNlAHMzY3JldC1QdzE=", true},
	} {
		if got := isSASLAnswer(proto.TableFor(tt.p), tt.line); got != tt.want {
			t.Errorf("%v %q: %v, want %v", tt.p, tt.line, got, tt.want)
		}
	}
}
