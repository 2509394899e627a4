package loopback

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// The header fixer adds Date and Message-ID only where missing, and the
// blank line only where the text has no header; what it passes through
// it leaves as it is.
func TestHeaderFixer(t *testing.T) {
	const add = "Date: D\r\nMessage-ID: M\r\n"
	tests := []struct{ name, in, want string }{
		{"bare text", "Teste do mail\r\n", add + "\r\nTeste do mail\r\n"},
		{"empty", "", add},
		{"header only", "Subject: x\r\n", "Subject: x\r\n" + add},
		{"header without line end", "Subject: x", "Subject: x\r\n" + add},
		{"text without line end", "hello", add + "\r\nhello"},
		{"complete", "Date: mine\r\nMessage-ID: <m@x>\r\n\r\nbody\r\n", "Date: mine\r\nMessage-ID: <m@x>\r\n\r\nbody\r\n"},
		{"date missing", "message-id: <m@x>\r\nSubject: s\r\n\r\nbody\r\n", "message-id: <m@x>\r\nSubject: s\r\nDate: D\r\n\r\nbody\r\n"},
		{"folded", "Subject: a\r\n b\r\nDATE: d\r\n\r\nDate: in body\r\n", "Subject: a\r\n b\r\nDATE: d\r\nMessage-ID: M\r\n\r\nDate: in body\r\n"},
		{"continuation first", " indented\r\n", add + "\r\n indented\r\n"},
		{"mbox From line", "From someone\r\nSubject: x\r\n", add + "\r\nFrom someone\r\nSubject: x\r\n"},
		{"LF endings", "Subject: x\n\nbody\n", "Subject: x\n" + add + "\nbody\n"},
		{"body has no header fields", "Subject: x\r\n\r\nMessage-ID: no\r\n", "Subject: x\r\n" + add + "\r\nMessage-ID: no\r\n"},
	}
	added := func(have present) []byte {
		var b bytes.Buffer
		if !have.date {
			b.WriteString("Date: D\r\n")
		}
		if !have.msgID {
			b.WriteString("Message-ID: M\r\n")
		}
		return b.Bytes()
	}
	for _, tt := range tests {
		// Whole, and one byte at a time: the result must not depend on
		// how the text arrives.
		for _, step := range []int{len(tt.in) + 1, 1} {
			var out bytes.Buffer
			h := newHeaderFixer(&out, added)
			for in := tt.in; in != ""; {
				n := min(step, len(in))
				h.Write([]byte(in[:n]))
				in = in[n:]
			}
			if err := h.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("%s (step %d):\n got %q\nwant %q", tt.name, step, out.String(), tt.want)
			}
		}
	}
}

// lfWriter stores LF endings and counts the CRLF size that POP3 reports.
func TestLFWriter(t *testing.T) {
	tests := []struct {
		in, stored string
		vsize      int64
	}{
		{"a\r\nb\r\n", "a\nb\n", 6},
		{"bare\nlf\n", "bare\nlf\n", 10},
		{"cr\rinside\r\n", "cr\rinside\n", 11},
		// RETR ends the last line: "\n" after the CR.
		{"ends in cr\r", "ends in cr\r", 12},
		{"no line ending", "no line ending", 16},
		// A CR before CRLF stays, and is counted once.
		{"x\r\r\ny\r\n", "x\r\r\ny\n", 7},
		{"", "", 0},
	}
	for _, tt := range tests {
		for _, step := range []int{1, 1000} {
			var b bytes.Buffer
			bw := bufio.NewWriter(&b)
			l := newLFWriter(bw, 0)
			for in := tt.in; in != ""; {
				n := min(step, len(in))
				l.Write([]byte(in[:n]))
				in = in[n:]
			}
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.stored || l.VSize != tt.vsize || l.Size != int64(len(tt.stored)) {
				t.Errorf("%q (step %d): stored %q size %d vsize %d, want %q %d", tt.in, step, b.String(), l.Size, l.VSize, tt.stored, tt.vsize)
			}
		}
	}
	var b bytes.Buffer
	l := newLFWriter(bufio.NewWriter(&b), 10)
	l.Write([]byte("12345678\r\n123456789\r\n"))
	if le, ok := l.err.(*LineLengthError); !ok || le.Line != 2 || le.Max != 10 {
		t.Errorf("line limit: %v", l.err)
	}
}

func TestTraceFields(t *testing.T) {
	env := &Envelope{ID: "ABC", From: "a@b.example", Helo: "me\r\nX-Injected: yes", Protocol: "ESMTPSA",
		TLS: "TLS 1.3 with TLS_AES_128_GCM_SHA256", User: "demo", Domain: "localhost"}
	got := string(traceFields(env, []string{"demo@localhost", "x@localhost"}))
	want := "Return-Path: <a@b.example>\r\nDelivered-To: demo@localhost\r\nDelivered-To: x@localhost\r\n" +
		"Received: from me??X-Injected:?yes (unknown)\r\n\t(TLS 1.3 with TLS_AES_128_GCM_SHA256)\r\n\t(authenticated as demo)\r\n" +
		"\tby localhost (mailsh) with ESMTPSA id ABC; Mon, 01 Jan 0001 00:00:00 +0000\r\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "for <") {
		t.Error("for clause with two recipients")
	}
}

// FuzzHeaderFixer: the fixer only ever inserts its fields (and perhaps a
// line break) in one place; every byte of the message passes through.
func FuzzHeaderFixer(f *testing.F) {
	for _, s := range []string{"Teste do mail\r\n", "Subject: x\r\n\r\nb", "Subject: x", "", " a\r\n", "Date: x\r\nMessage-ID: y\r\n\r\n"} {
		f.Add(s, 3)
	}
	const marker = "X-Added: 1\r\n"
	f.Fuzz(func(t *testing.T, in string, step int) {
		if step <= 0 {
			step = 1
		}
		var out bytes.Buffer
		h := newHeaderFixer(&out, func(present) []byte { return []byte(marker) })
		for s := in; s != ""; {
			n := min(step, len(s))
			h.Write([]byte(s[:n]))
			s = s[n:]
		}
		h.Close()
		got := out.String()
		i := strings.Index(got, marker)
		if i < 0 {
			if got != in {
				t.Fatalf("nothing added, yet %q became %q", in, got)
			}
			return
		}
		a, b := got[:i], got[i+len(marker):]
		if a+b == in || a+strings.TrimPrefix(b, "\r\n") == in || strings.TrimSuffix(a, "\r\n")+b == in {
			return
		}
		t.Fatalf("%q became %q", in, got)
	})
}
