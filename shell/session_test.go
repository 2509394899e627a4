package shell

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
)

// pop3Peer answers like a POP3 server: USER and PASS succeed; it records
// every line.
func pop3Peer(t *testing.T, conn net.Conn) <-chan []string {
	got := make(chan []string, 1)
	go func() {
		defer conn.Close()
		var lines []string
		defer func() { got <- lines }()
		conn.Write([]byte("+OK ready <1.2@host>\r\n"))
		br := bufio.NewReader(conn)
		for {
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			lines = append(lines, l)
			if strings.EqualFold(l, "QUIT") {
				conn.Write([]byte("+OK bye\r\n"))
				return
			}
			conn.Write([]byte("+OK\r\n"))
		}
	}()
	return got
}

type fixedSecret string

func (f fixedSecret) Secret(string) (string, error) { return string(f), nil }

func newTestSession(t *testing.T, host string) (*Session, *bytes.Buffer, <-chan []string) {
	t.Helper()
	cc, sc := net.Pipe()
	got := pop3Peer(t, sc)
	var out bytes.Buffer
	p := NewPrinter(&out, false)
	p.Prefix, p.Echo = true, true
	c := proto.NewClient(cc, pop3.Protocol, p.Event)
	c.Timeout = 5 * time.Second
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	s := &Session{Client: c, P: p, Target: proto.Target{Proto: pop3.Protocol, Host: host, Port: 110}, Secrets: fixedSecret("tanstaaf")}
	t.Cleanup(func() { c.Close() })
	return s, &out, got
}

func TestCleartextWarning(t *testing.T) {
	ctx := context.Background()
	// Script mode refuses a password bound for another host without TLS.
	s, out, _ := newTestSession(t, "mail.example.com")
	s.Handle(ctx, "USER vmc")
	err := s.Handle(ctx, "PASS tanstaaf")
	if err == nil || !strings.Contains(err.Error(), "refusing") || !strings.Contains(out.String(), "Password em clear text!!") {
		t.Fatalf("err %v, output %q", err, out)
	}
	// At a terminal it asks; "no" keeps the password home.
	asked := ""
	s.Opts.Confirm = func(q string) bool { asked = q; return false }
	if err := s.Handle(ctx, "PASS tanstaaf"); err == nil || asked == "" {
		t.Fatalf("confirm not asked: %v", err)
	}
	s.Opts.Confirm = func(string) bool { return true }
	if err := s.Handle(ctx, "PASS tanstaaf"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "tanstaaf") {
		t.Errorf("password printed: %q", out)
	}
	// On loopback there is no warning (the lecture's own setting).
	s2, out2, _ := newTestSession(t, "127.0.0.1")
	s2.Handle(ctx, "USER vmc")
	if err := s2.Handle(ctx, "PASS tanstaaf"); err != nil || strings.Contains(out2.String(), "clear text") {
		t.Fatalf("loopback: %v %q", err, out2)
	}
	// --allow-plaintext lets a script go on, after the warning.
	s3, out3, _ := newTestSession(t, "mail.example.com")
	s3.Opts.AllowPlaintext = true
	s3.Handle(ctx, "USER vmc")
	if err := s3.Handle(ctx, "PASS tanstaaf"); err != nil || !strings.Contains(out3.String(), "clear text") {
		t.Fatalf("allow-plaintext: %v %q", err, out3)
	}
}

func TestPassAloneAsksForSecret(t *testing.T) {
	ctx := context.Background()
	s, out, got := newTestSession(t, "localhost")
	for _, l := range []string{"user vmc", "PASS", "STAT", "QUIT"} {
		if err := s.Handle(ctx, l); err != nil && !errors.Is(err, ErrQuit) {
			t.Fatalf("%s: %v", l, err)
		}
	}
	lines := <-got
	if strings.Join(lines, "|") != "user vmc|PASS tanstaaf|STAT|QUIT" {
		t.Fatalf("server got %q", lines)
	}
	if !strings.Contains(out.String(), "C: PASS [redacted]") {
		t.Errorf("output %q", out)
	}
}

func TestMetaCommands(t *testing.T) {
	ctx := context.Background()
	s, out, _ := newTestSession(t, "localhost")
	for _, tt := range []struct{ line, want string }{
		{":b64 \\0tim\\0tanstaaftanstaaf", "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"},
		{":unb64 AHRpbQB0YW5zdGFhZnRhbnN0YWFm", `\0tim\0tanstaaftanstaaf`},
		{":explain 550 5.1.1", "bad destination mailbox address"},
		{":help", "USER"},
		{":help retr", "RFC 1939 §5"},
		{":state", "APOP:     offered (timestamp <1.2@host>)"},
	} {
		out.Reset()
		if err := s.Handle(ctx, tt.line); err != nil {
			t.Errorf("%s: %v", tt.line, err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: output %q lacks %q", tt.line, out, tt.want)
		}
	}
	if err := s.Handle(ctx, ":nonsense"); err == nil {
		t.Error("unknown meta-command accepted")
	}
	if err := s.Handle(ctx, ":explain hello"); err == nil {
		t.Error(":explain accepted nonsense")
	}
}

func TestHistoryWorthy(t *testing.T) {
	s, _, _ := newTestSession(t, "localhost")
	for line, want := range map[string]bool{
		"USER vmc":              true,
		"PASS secret":           false,
		"pass secret":           false,
		"APOP vmc 0123abcd":     false,
		"AUTH PLAIN AHRpbQB0aW": false,
		":auth APOP":            true,
		"":                      false,
	} {
		if got := s.historyWorthy(line); got != want {
			t.Errorf("%q: %v", line, got)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	s, _, _ := newTestSession(t, "localhost")
	for in, want := range map[string]string{
		"PASS tanstaaf":       "PASS ********",
		"AUTH PLAIN AHRpbQ==": "AUTH PLAIN ********",
		"APOP vmc c4c9":       "APOP vmc ****",
		"USER vmc":            "USER vmc",
		"PASS":                "PASS",
	} {
		if got := string(s.maskSecrets([]rune(in), len(in))); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain":             "plain",
		"tab\there":         "tab\there",
		"\x1b]0;pwned\x07":  `\x1b]0;pwned\x07`,
		"bell\x07":          `bell\x07`,
		"olá":               "olá",
		"bad \xff byte":     `bad \xff byte`,
		"c1 \u009b control": `c1 \x9b control`,
	} {
		if got := Printable(in, false); got != want {
			t.Errorf("%q: %q", in, got)
		}
	}
	if got := Printable("a\tb", true); got != `a\x09b` {
		t.Errorf("raw tab: %q", got)
	}
}

func TestPrinterColours(t *testing.T) {
	var out bytes.Buffer
	p := NewPrinter(&out, true)
	p.Event(proto.Event{Dir: proto.FromServer, Text: "+OK 397 octets", Class: proto.ClassPositive})
	p.Event(proto.Event{Dir: proto.FromServer, Text: "From: a@b", Body: true})
	p.Event(proto.Event{Dir: proto.FromServer, Text: "", Body: true})
	p.Event(proto.Event{Dir: proto.FromServer, Text: "To: not a header", Body: true})
	p.Event(proto.Event{Dir: proto.FromServer, Text: ".", Final: true})
	p.Event(proto.Event{Dir: proto.FromServer, Text: "550 no", Class: proto.ClassPermanent, Final: true})
	// IMAP: the response code bold; an [ALERT] stands out; the lines of
	// a literal are as they are, a leading dot included.
	p.Event(proto.Event{Dir: proto.FromServer, Text: "a3 NO [TRYCREATE] no such mailbox", Class: proto.ClassTransient, Final: true})
	p.Event(proto.Event{Dir: proto.FromServer, Text: "* OK [ALERT] clear text", Class: proto.ClassPositive})
	p.Event(proto.Event{Dir: proto.FromServer, Text: ".hidden", Body: true, Literal: true})
	p.Flush()
	got := out.String()
	for _, want := range []string{"\x1b[32m+OK 397 octets", "\x1b[1mFrom:\x1b[22m a@b", "\nTo: not a header\n", "\x1b[31m550 no",
		"\x1b[33ma3 NO \x1b[0m\x1b[1m[TRYCREATE]\x1b[22m\x1b[33m no such mailbox", "\x1b[31;1m* OK [ALERT] clear text", "\n.hidden\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
}

func TestQuitCancelsSASL(t *testing.T) {
	s, _, got := newTestSession(t, "localhost")
	// The peer answers "+OK" to everything, so fake the state: an AUTH
	// that drew a continuation.
	s.Client.Machine.Sent("AUTH LOGIN")
	s.Client.Machine.Received(&proto.Reply{Proto: pop3.Protocol, Status: "+", Text: []string{"VXNlcm5hbWU6"}})
	s.Quit()
	lines := <-got
	if strings.Join(lines, "|") != "*|QUIT" {
		t.Fatalf("server got %q", lines)
	}
}
