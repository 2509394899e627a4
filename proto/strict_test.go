package proto

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

// A Strict DotReader ends the data only at <CRLF>.<CRLF> and names the
// first line with a bare LF or CR; a lenient one, as the client uses,
// still ends it at a bare-LF "." line.
func TestDotReaderStrict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string // the data, then "NEXT" after its end
		strict bool
		want   string // decoded text, or the error's text
		bare   string // the error, "" for none
	}{
		{"clean", "a\r\n..b\r\n.\r\nNEXT", true, "a\r\n.b\r\n", ""},
		{"LF.LF strict", "a\n.\nb\r\n.\r\nNEXT", true, "", "bare LF on line 1 of the message text"},
		{"LF.LF lenient", "a\n.\nNEXT", false, "a\r\n", ""},
		{"CRLF.LF strict", "a\r\n.\nb\r\n.\r\nNEXT", true, "", "bare LF on line 2 of the message text"},
		{"CR.CR strict", "a\r.\rb\r\n.\r\nNEXT", true, "", "bare CR on line 1 of the message text"},
		{"CR before CRLF", "a\r\r\n.\r\nNEXT", true, "", "bare CR on line 1 of the message text"},
		{"bare LF late", "a\r\nb\r\nc\nd\r\n.\r\nNEXT", true, "", "bare LF on line 3 of the message text"},
		{"long line split", strings.Repeat("x", 100) + "\r\n.\r\nNEXT", true, strings.Repeat("x", 100) + "\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A small buffer makes lines arrive in pieces.
			lr := NewLineReader(bufio.NewReaderSize(strings.NewReader(tc.in), 16))
			d := NewDotReader(lr)
			d.Strict = tc.strict
			got, err := io.ReadAll(d)
			switch {
			case tc.bare == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.bare != "":
				var be *BareNewlineError
				if !errors.As(err, &be) || !errors.Is(err, ErrBareNewline) || err.Error() != tc.bare {
					t.Fatalf("error %v, want %q", err, tc.bare)
				}
			case string(got) != tc.want:
				t.Fatalf("decoded %q, want %q", got, tc.want)
			}
			// The reader stopped right after the end of the data, in
			// step, and does not stay strict.
			if lr.CRLFOnly {
				t.Fatal("the LineReader was left CRLF-only")
			}
			rest, _ := io.ReadAll(lr.R)
			if string(rest) != "NEXT" {
				t.Fatalf("after the data %q is left, want NEXT", rest)
			}
		})
	}
}

// A CRLF-only LineReader skips a line that is too long up to its CRLF, not
// to a bare LF inside it.
func TestLineReaderCRLFOnlyTooLong(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("x", 40) + "\n.\r\nnext\r\n"
	for _, crlfOnly := range []bool{false, true} {
		lr := NewLineReader(bufio.NewReaderSize(strings.NewReader(in), 16))
		lr.Max, lr.CRLFOnly = 10, crlfOnly
		if _, err := lr.ReadLine(); !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("CRLFOnly=%v: %v, want ErrLineTooLong", crlfOnly, err)
		}
		line, err := lr.ReadLine()
		want := "."
		if crlfOnly {
			want = "next"
		}
		if err != nil || string(line) != want {
			t.Fatalf("CRLFOnly=%v: next line %q, %v; want %q", crlfOnly, line, err, want)
		}
	}
}
