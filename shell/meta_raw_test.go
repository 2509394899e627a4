package shell

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// byteSink is an SMTP server on 127.0.0.1 that records every byte it
// receives. It answers commands line by line; after DATA it takes the
// message up to CRLF "." CRLF, or, when lenient, also up to a bare
// LF "." LF, as the servers open to SMTP smuggling did.
type byteSink struct {
	addr    string
	lenient bool

	mu  sync.Mutex
	got bytes.Buffer
}

func startByteSink(t *testing.T, lenient bool) *byteSink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &byteSink{addr: l.Addr().String(), lenient: lenient}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		s.serve(c)
	}()
	return s
}

type lockedWriter struct{ s *byteSink }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.got.Write(p)
}

func (s *byteSink) serve(c net.Conn) {
	br := bufio.NewReader(io.TeeReader(c, lockedWriter{s}))
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 sink ESMTP")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		switch verb, _, _ := strings.Cut(strings.ToUpper(strings.TrimRight(line, "\r\n")), " "); verb {
		case "QUIT":
			say("221 bye")
			return
		case "DATA":
			say("354 go ahead")
			var msg []byte
			for {
				b, err := br.ReadByte()
				if err != nil {
					return
				}
				msg = append(msg, b)
				if bytes.HasSuffix(msg, []byte("\r\n.\r\n")) || s.lenient && bytes.HasSuffix(msg, []byte("\n.\n")) {
					break
				}
			}
			say("250 2.0.0 queued")
		default:
			say("250 ok")
		}
	}
}

func (s *byteSink) bytes() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got.String()
}

// TestRawSend: :raw send puts the bytes on the wire exactly, in DATA too,
// records them escaped, and shows what the server makes of them.
func TestRawSend(t *testing.T) {
	t.Parallel()
	const smuggle = `:raw send "Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n"`
	const escaped = `sent raw: Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n`
	tests := []struct {
		name    string
		lenient bool
		script  string
		wire    string   // every byte the server must have received
		out     []string // in the output and the transcript, in order
		notOut  []string
	}{
		{
			name:   "in DATA, strict server",
			script: "EHLO me\nMAIL FROM:<a@x>\nRCPT TO:<b@x>\nDATA\n" + smuggle + "\n.\nQUIT\n",
			wire:   "EHLO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nSubject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n.\r\nQUIT\r\n",
			out:    []string{"S: 354 go ahead", "* " + escaped, "C: .", "S: 250 2.0.0 queued", "S: 221 bye"},
			notOut: []string{"nobody asked for"},
		},
		{
			name:    "in DATA, server open to smuggling",
			lenient: true,
			script:  "EHLO me\nMAIL FROM:<a@x>\nRCPT TO:<b@x>\nDATA\n" + smuggle + "\n:abort\n",
			wire:    "EHLO me\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nSubject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n",
			// The server ends the message at "\n.\n" and takes the rest
			// for a command: two replies.
			out:    []string{"* " + escaped, "S: 250 2.0.0 queued", "S: 250 ok"},
			notOut: []string{"nobody asked for"},
		},
		{
			name:   "a command without CRLF, then its end",
			script: "EHLO me\n:raw send NO\n:raw send 'OP\\r\\n'\nQUIT\n",
			wire:   "EHLO me\r\nNOOP\r\nQUIT\r\n",
			out:    []string{"* sent raw: NO", `* sent raw: OP\r\n`, "S: 250 ok", "S: 221 bye"},
		},
		{
			name:   "escapes",
			script: "EHLO me\n:raw send \"RSET\\x0d\\x0a\\tx\\\\y\\\"z\\r\\n\"\nQUIT\n",
			wire:   "EHLO me\r\nRSET\r\n\tx\\y\"z\r\nQUIT\r\n",
			out:    []string{`* sent raw: RSET\r\n\tx\\y"z\r\n`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := startByteSink(t, tt.lenient)
			_, out, rec := runScriptAgainst(t, nil, sink.addr, tt.script)
			if got := sink.bytes(); got != tt.wire {
				t.Errorf("server received:\n%q\nwant:\n%q", got, tt.wire)
			}
			for what, text := range map[string]string{"output": out, "transcript": rec} {
				at := 0
				for _, w := range tt.out {
					if what == "transcript" {
						w = strings.TrimPrefix(strings.TrimPrefix(w, "* "), "S: ")
					}
					i := strings.Index(text[at:], w)
					if i < 0 {
						t.Errorf("%s lacks %q after offset %d:\n%s", what, w, at, text)
						break
					}
					at += i + len(w)
				}
				for _, w := range tt.notOut {
					if strings.Contains(text, w) {
						t.Errorf("%s has %q:\n%s", what, w, text)
					}
				}
			}
		})
	}
}

func TestRawSendUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ line, want string }{
		{`:raw send`, "usage: :raw send TEXT"},
		{`:raw send "a\q"`, `unknown escape \q`},
		{`:raw send a\x4`, `\x needs two hex digits`},
		{`:raw send ""`, "nothing to send"},
		{`:raw sideways`, "usage: :raw [on|off], or :raw send TEXT"},
	} {
		s, _, _ := newTestSession(t, "localhost")
		err := s.Handle(t.Context(), tt.line)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.line, err, tt.want)
		}
	}
	for line, want := range map[string]bool{
		`:raw send x`: true, ` :RAW  SEND "x"`: true, `:raw on`: false, `:rawsend x`: false, `:raw sender`: false,
	} {
		if got := isRawSend(line); got != want {
			t.Errorf("isRawSend(%q) = %v", line, got)
		}
	}
}
