package proto

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// normalize is what the dot codec promises to deliver: CRLF line endings
// and a final line ending.
func normalize(in []byte) []byte {
	var b bytes.Buffer
	for i, c := range in {
		if c == '\n' && (i == 0 || in[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	out := b.Bytes()
	if len(out) > 0 && out[len(out)-1] != '\n' {
		if out[len(out)-1] == '\r' {
			out = append(out, '\n')
		} else {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

func FuzzDotRoundTrip(f *testing.F) {
	for _, s := range []string{"a\n.b\n", ".\r\n", "..", "x\r", "\n\n.\n", "a\rb"} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		var enc bytes.Buffer
		w := NewDotWriter(&enc)
		// Write in two pieces to exercise state kept across writes.
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		w.Write(data[:split])
		w.Write(data[split:])
		w.Close()
		dec, err := io.ReadAll(NewDotReader(NewLineReader(bytes.NewReader(enc.Bytes()))))
		if err != nil {
			t.Fatalf("decode %q: %v", enc.Bytes(), err)
		}
		if want := normalize(data); !bytes.Equal(dec, want) {
			t.Fatalf("round trip of %q: got %q, want %q (wire %q)", data, dec, want, enc.Bytes())
		}
	})
}

func FuzzDotReader(f *testing.F) {
	f.Add([]byte("a\r\n..b\r\n.\r\n"))
	f.Add([]byte(".\r\n"))
	f.Add([]byte("no end"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lr := NewLineReader(bytes.NewReader(data))
		lr.Max = 256
		dr := NewDotReader(lr)
		dr.Limit = 1024
		out, _ := io.ReadAll(dr)
		if len(out) > 1024+258 {
			t.Fatalf("read %d bytes past the limit", len(out))
		}
	})
}

// strictEnd finds where dot-encoded data ends by RFC 5321 §4.1.1.4's rule
// alone: after the first line, split at CRLF only, that is ".".
func strictEnd(data []byte) (int, bool) {
	start := 0
	for {
		i := bytes.Index(data[start:], []byte("\r\n"))
		if i < 0 {
			return 0, false
		}
		if string(data[start:start+i]) == "." {
			return start + i + 2, true
		}
		start += i + 2
	}
}

// FuzzDotReaderStrict: a Strict DotReader stops exactly where the data
// ends by CRLF.CRLF, whatever bare CRs and LFs come before; it passes on
// only CRLF-clean lines, and a bare CR or LF gives a *BareNewlineError,
// never io.EOF.
func FuzzDotReaderStrict(f *testing.F) {
	for _, s := range []string{
		"a\r\n.\r\n", "first\n.\nMAIL\r\n.\r\n", "a\n.\r\nb\r\n.\r\n", "a\r\n.\nb\r\n.\r\n",
		"a\r.\rb\r\n.\r\n", "..\r\n.\r\n", "x\r\r\n.\r\n", "\r\n.\r\n", ".\r\n", "a\r\n.", "\n.\n",
	} {
		f.Add([]byte(s), 16)
	}
	f.Fuzz(func(t *testing.T, data []byte, bufSize int) {
		if len(data) > 1<<15 {
			return // no line reaches the cap
		}
		if bufSize < 16 || bufSize > 4096 {
			bufSize = 16
		}
		src := bytes.NewReader(data)
		lr := NewLineReader(bufio.NewReaderSize(src, bufSize))
		lr.Max = 1 << 16
		d := NewDotReader(lr)
		d.Strict = true
		out, err := io.ReadAll(d)
		end, ok := strictEnd(data)
		if !ok {
			if err == nil {
				t.Fatalf("%q has no <CRLF>.<CRLF>, yet the data ended", data)
			}
			return
		}
		if d.Bare == nil && bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) {
			t.Fatalf("a bare LF passed: %q", out)
		}
		if d.Bare == nil && bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\r")) {
			t.Fatalf("a bare CR passed: %q", out)
		}
		hasBare := bytes.ContainsAny(bytes.ReplaceAll(data[:end], []byte("\r\n"), nil), "\r\n")
		switch {
		case hasBare && !errors.Is(err, ErrBareNewline):
			t.Fatalf("%q: bare CR or LF before the end, yet err = %v", data, err)
		case !hasBare && err != nil:
			t.Fatalf("%q: clean data, yet err = %v", data, err)
		}
		// The reader is exactly past the end: what is left unread is
		// what follows it.
		rest, _ := io.ReadAll(lr.R)
		if !bytes.Equal(rest, data[end:]) {
			t.Fatalf("%q: left %q after the data, want %q", data, rest, data[end:])
		}
	})
}
