package smtp

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/prototest"
)

func TestUnquoteRaw(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want, err string
	}{
		{in: `NOOP\r\n`, want: "NOOP\r\n"},
		{in: `"Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n"`, want: "Subject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x>\r\n"},
		{in: `'a "b" c'`, want: `a "b" c`},
		{in: `"say \"hi\""`, want: `say "hi"`},
		{in: `\x00\xff\x2E\t\\`, want: "\x00\xff.\t\\"},
		{in: `  two  spaces  `, want: "  two  spaces  "},
		{in: `"unclosed`, want: `"unclosed`},
		{in: `\q`, err: `unknown escape \q`},
		{in: `a\`, err: `a lone \`},
		{in: `\xZZ`, err: `\xZZ: not two hex digits`},
		{in: `\x4`, err: `\x needs two hex digits`},
	} {
		got, err := proto.UnquoteRaw(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("proto.UnquoteRaw(%q): error %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || string(got) != tt.want):
			t.Errorf("proto.UnquoteRaw(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestQuoteRawRoundTrip: every byte survives proto.QuoteRaw and proto.UnquoteRaw.
func TestQuoteRawRoundTrip(t *testing.T) {
	t.Parallel()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, b := range [][]byte{all, []byte("first\n.\nMAIL FROM:<e@x>\r\n"), []byte(`\x41`), {}} {
		q := proto.QuoteRaw(b)
		if strings.ContainsAny(q, "\r\n\x00\x1b\x7f") {
			t.Errorf("proto.QuoteRaw left a control byte: %q", q)
		}
		back, err := proto.UnquoteRaw(q)
		if err != nil || !bytes.Equal(back, b) {
			t.Errorf("round trip of %q: %q, %v", b, back, err)
		}
	}
}

// TestSendRaw: the bytes go out as they are; what comes back is shown,
// a line that is no reply included, and the session goes on in step.
func TestSendRaw(t *testing.T) {
	t.Parallel()
	const raw = "NO\nOP\r\nRSET"
	cc, sc := net.Pipe()
	got := make(chan string, 1)
	go func() {
		defer sc.Close()
		sc.SetDeadline(time.Now().Add(10 * time.Second))
		sc.Write([]byte("220 hi\r\n"))
		buf := make([]byte, len(raw))
		if _, err := io.ReadFull(sc, buf); err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf)
		sc.Write([]byte("NO\r\n500 5.5.2 bare LF\r\n"))
		line := make([]byte, len("NOOP\r\n"))
		if _, err := io.ReadFull(sc, line); err != nil || string(line) != "NOOP\r\n" {
			return
		}
		sc.Write([]byte("250 2.0.0 noop\r\n"))
		io.Copy(io.Discard, sc)
	}()
	rec := &prototest.Recorder{}
	c := proto.NewClient(cc, Protocol, rec.Add)
	c.Timeout = 5 * time.Second
	t.Cleanup(func() { c.Close() })
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.SendRaw([]byte(raw), 200*time.Millisecond, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("SendRaw took %v", d)
	}
	if g := <-got; g != raw {
		t.Fatalf("server got %q, want %q", g, raw)
	}
	_, rep, err := c.Command("NOOP")
	if err != nil || rep.Code != 250 {
		t.Fatalf("NOOP after raw bytes: %v, %v", rep, err)
	}
	want := `S: 220 hi
*: sent raw: NO\nOP\r\nRSET
S: NO
S: 500 5.5.2 bare LF
C: NOOP
S: 250 2.0.0 noop
`
	if g := rec.String(); g != want {
		t.Errorf("events:\n%s\nwant:\n%s", g, want)
	}
}
