package smtp

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
)

func FuzzReadSMTPReply(f *testing.F) {
	for _, s := range []string{"220 x\r\n", "250-a\r\n250-b\r\n250 c\r\n", "550 5.1.1 no\r\n", "25", "250-x\n251 y\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lr := proto.NewLineReader(bytes.NewReader(data))
		lr.Max = 512
		for i := 0; i < 100; i++ {
			rep, err := ReadReply(lr)
			if err != nil {
				return
			}
			if rep.Code < 100 || rep.Code > 599 || len(rep.Lines) == 0 || len(rep.Lines) != len(rep.Text) {
				t.Fatalf("bad reply %+v", rep)
			}
			for _, l := range rep.Lines {
				if len(l) > 512 {
					t.Fatalf("line over cap: %d", len(l))
				}
			}
		}
	})
}

// FuzzMachine feeds the Protocol state machine an arbitrary exchange: lines
// that begin with "C" are sent, others are replies. It must never panic,
// and what it learns stays bounded. (POP3's is in package pop3.)
func FuzzMachine(f *testing.F) {
	f.Add(lectureSMTP)
	f.Add("S: 220 x\nC: EHLO x\nS: 250-x\nS: 250 AUTH=PLAIN\nC: AUTH PLAIN\nS: 334 \nC: abc\nS: 235 ok")
	f.Fuzz(func(t *testing.T, script string) {
		p := Protocol
		m := proto.NewMachine(p)
		var rep *proto.Reply
		body := false
		for _, l := range strings.Split(script, "\n") {
			if strings.HasPrefix(l, "C") {
				m.Sent(strings.TrimPrefix(strings.TrimPrefix(l, "C"), ": "))
				continue
			}
			l = strings.TrimPrefix(strings.TrimPrefix(l, "S"), ": ")
			if body {
				if l == "." {
					m.BodyDone()
					body = false
				} else {
					m.BodyLine([]byte(l))
				}
				continue
			}
			if rep == nil {
				rep = &proto.Reply{Proto: Protocol}
			}
			more, err := addLine(rep, []byte(l))
			if err != nil {
				rep = nil
				continue
			}
			if !more {
				m.Received(rep)
				rep = nil
			}
		}
		s := m.Snapshot()
		_ = s.Commands()
		if len(s.Caps) > proto.MaxReplyLines || len(s.Used) > 64 {
			t.Fatalf("unbounded learning: %d %d", len(s.Caps), len(s.Used))
		}
	})
}

func BenchmarkReadSMTPReply(b *testing.B) {
	wire := []byte(strings.Repeat(ehloReply, 1000))
	b.Run("mailsh", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			lr := proto.NewLineReader(bytes.NewReader(wire))
			for range 1000 {
				if _, err := ReadReply(lr); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("textproto", func(b *testing.B) {
		b.SetBytes(int64(len(wire)))
		for b.Loop() {
			tr := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(wire), 64<<10))
			for range 1000 {
				if _, _, err := tr.ReadResponse(250); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

func TestExplainCode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"550", "550: mailbox unavailable"},
		{"5.1.1", "5.1.1: permanent failure: bad destination mailbox address"},
		{"354", "354: start mail input"},
		{"599", "599: permanent negative"},
	} {
		got, err := proto.Registry{Protocol}.ExplainCode(tt.in)
		if err != nil || len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
			t.Errorf("%q: %q %v", tt.in, got, err)
		}
	}
	if _, err := (proto.Registry{Protocol}).ExplainCode("hello"); err == nil {
		t.Error("nonsense explained")
	}
}

var ehloReply = strings.Repeat("250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n", 1)
