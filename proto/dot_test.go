package proto

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"
	"testing"
)

func dotEncode(t testing.TB, chunks ...string) string {
	var b bytes.Buffer
	w := NewDotWriter(&b)
	for _, c := range chunks {
		if _, err := w.Write([]byte(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDotWriter(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"Teste do mail\n"}, "Teste do mail\r\n.\r\n"},
		{[]string{"Teste do mail"}, "Teste do mail\r\n.\r\n"},
		{[]string{""}, ".\r\n"},
		{[]string{".hidden\r\n"}, "..hidden\r\n.\r\n"},
		{[]string{"a\n.\nb\n"}, "a\r\n..\r\nb\r\n.\r\n"},
		{[]string{"a\r\n", ".b\r\n"}, "a\r\n..b\r\n.\r\n"},
		{[]string{"a\r", "\n.b"}, "a\r\n..b\r\n.\r\n"},
		{[]string{"a\r"}, "a\r\n.\r\n"},
		{[]string{"x", ".y\n"}, "x.y\r\n.\r\n"}, // not at line start
		{[]string{"\n\n"}, "\r\n\r\n.\r\n"},
		{[]string{"one\r\ntwo\r\nthree\r\n"}, "one\r\ntwo\r\nthree\r\n.\r\n"},
		{[]string{"a\rb\n"}, "a\rb\r\n.\r\n"}, // bare CR kept
		{[]string{"..\n"}, "...\r\n.\r\n"},
	}
	for _, tt := range tests {
		if got := dotEncode(t, tt.in...); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDotWriterMatchesTextproto checks our writer against the standard
// library's on inputs where their rules agree. (They differ on empty input:
// textproto sends an empty line before the ".", we send the empty message.)
func TestDotWriterMatchesTextproto(t *testing.T) {
	for _, in := range []string{"a\nb\n", ".a\n..b\n.\n", "x\r\ny", "\n.\n", strings.Repeat("line .\n.dot\n", 50)} {
		var b bytes.Buffer
		w := textproto.NewWriter(bufio.NewWriter(&b))
		dw := w.DotWriter()
		io.WriteString(dw, in)
		dw.Close()
		if got := dotEncode(t, in); got != b.String() {
			t.Errorf("%q: ours %q, textproto %q", in, got, b.String())
		}
	}
}

func TestDotReader(t *testing.T) {
	in := "Ola,\r\n..hidden\r\n\r\nmensagem de teste\r\n.\r\n+OK next\r\n"
	lr := lines(in)
	got, err := io.ReadAll(NewDotReader(lr))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Ola,\r\n.hidden\r\n\r\nmensagem de teste\r\n"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// The reader stops at the terminator: the next line is untouched.
	if l, _ := lr.ReadLine(); string(l) != "+OK next" {
		t.Fatalf("after data: %q", l)
	}
	// A connection that ends before the terminator is an error.
	_, err = io.ReadAll(NewDotReader(lines("a\r\nb\r\n")))
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("truncated: err = %v", err)
	}
}

func TestDotReaderLimit(t *testing.T) {
	lr := lines("aaaa\r\nbbbb\r\ncccc\r\n.\r\nnext\r\n")
	dr := NewDotReader(lr)
	dr.Limit = 8
	_, err := io.ReadAll(dr)
	if err != ErrTooBig {
		t.Fatalf("err = %v, want ErrTooBig", err)
	}
	if l, _ := lr.ReadLine(); string(l) != "next" {
		t.Fatalf("reader not drained to the terminator: %q", l)
	}
}

func TestDotRoundTrip(t *testing.T) {
	for _, in := range []string{"a\r\n", ".\r\n", "..\r\n.x\r\n", "\r\n", "From: x\r\n\r\n.body\r\n"} {
		enc := dotEncode(t, in)
		got, err := io.ReadAll(NewDotReader(lines(enc)))
		if err != nil || string(got) != in {
			t.Errorf("%q: round trip %q, %v", in, got, err)
		}
	}
}

func lines(s string) *LineReader { return NewLineReader(strings.NewReader(s)) }
