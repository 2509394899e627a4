package smtp

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
)

func lines(s string) *proto.LineReader {
	return proto.NewLineReader(bufio.NewReader(strings.NewReader(s)))
}

func TestReadSMTPReply(t *testing.T) {
	tests := []struct {
		in       string
		code     int
		enhanced string
		text     []string
		err      error
	}{
		{"220 mail.ipleiria.pt ESMTP Sendmail 8.12.5/8.12.5\r\n", 220, "", []string{"mail.ipleiria.pt ESMTP Sendmail 8.12.5/8.12.5"}, nil},
		{"250 2.1.0 antunes@ipleiria.pt... Sender ok\r\n", 250, "2.1.0", []string{"antunes@ipleiria.pt... Sender ok"}, nil},
		{"250-mail.example.com\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n", 250, "", []string{"mail.example.com", "SIZE 1000", "AUTH PLAIN LOGIN"}, nil},
		{"550-5.1.1 no such\r\n550 5.1.1 user\r\n", 550, "5.1.1", []string{"no such", "user"}, nil},
		{"250\r\n", 250, "", []string{""}, nil},
		{"250 OK\n", 250, "", []string{"OK"}, nil}, // bare LF tolerated
		{"550 2.1.1 class disagrees\r\n", 550, "", []string{"2.1.1 class disagrees"}, nil},
		{"250-a\r\n251 b\r\n", 0, "", nil, proto.ErrProtocol},
		{"2x0 nope\r\n", 0, "", nil, proto.ErrProtocol},
		{"650 out of range\r\n", 0, "", nil, proto.ErrProtocol},
		{"25\r\n", 0, "", nil, proto.ErrProtocol},
		{"250_x\r\n", 0, "", nil, proto.ErrProtocol},
		{"250-only continuation\r\n", 0, "", nil, io.EOF},
		{"250 cut off", 0, "", nil, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		rep, err := ReadReply(lines(tt.in))
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: err = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if rep.Code != tt.code || rep.Enhanced.String() != tt.enhanced || strings.Join(rep.Text, "|") != strings.Join(tt.text, "|") {
			t.Errorf("%q: got %d %q %q", tt.in, rep.Code, rep.Enhanced, rep.Text)
		}
	}
}

func TestLineTooLong(t *testing.T) {
	lr := lines(strings.Repeat("a", 100) + "\r\nnext\r\n")
	lr.Max = 50
	_, err := lr.ReadLine()
	var e *proto.LineTooLongError
	if !errors.As(err, &e) || !errors.Is(err, proto.ErrLineTooLong) {
		t.Fatalf("err = %v, want proto.LineTooLongError", err)
	}
	// The reader skips the rest of the long line and stays in step.
	l, err := lr.ReadLine()
	if err != nil || string(l) != "next" {
		t.Fatalf("after long line: %q, %v", l, err)
	}
	// Exactly at the cap is fine.
	lr = lines(strings.Repeat("b", 50) + "\r\n")
	lr.Max = 50
	if l, err := lr.ReadLine(); err != nil || len(l) != 50 {
		t.Fatalf("line at cap: %d, %v", len(l), err)
	}
	// A line longer than bufio's buffer but under the cap is assembled.
	big := strings.Repeat("c", 200000)
	lr = lines(big + "\r\n")
	if l, err := lr.ReadLine(); err != nil || string(l) != big {
		t.Fatalf("long line: %d, %v", len(l), err)
	}
}

func TestReplyTooManyLines(t *testing.T) {
	in := strings.Repeat("250-x\r\n", proto.MaxReplyLines+5) + "250 end\r\n"
	_, err := ReadReply(lines(in))
	if !errors.Is(err, proto.ErrReplyTooLong) {
		t.Fatalf("err = %v, want proto.ErrReplyTooLong", err)
	}
}

func TestParseEnhancedCode(t *testing.T) {
	tests := []struct {
		in   string
		code string
		rest string
		ok   bool
	}{
		{"5.1.1 user unknown", "5.1.1", "user unknown", true},
		{"2.0.0", "2.0.0", "", true},
		{"4.7.999 x", "4.7.999", "x", true},
		{"3.1.1 x", "", "", false}, // class 3 does not exist
		{"5.1 x", "", "", false},
		{"5.1.1000 x", "", "", false},
		{"55.1.1 x", "", "", false},
		{"5.1.1x", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		ec, rest, ok := proto.ParseEnhancedCode(tt.in)
		if ok != tt.ok || (ok && (ec.String() != tt.code || rest != tt.rest)) {
			t.Errorf("%q: got %v %q %v", tt.in, ec, rest, ok)
		}
	}
}
