package pop3

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/prototest"
	"github.com/mailsh/mailsh/proto/smtp"
)

// feed drives a machine through a script of "C: " and "S: " lines, as if
// they crossed the wire, and returns the state after each client line's
// reply, as "line -> state".
func feed(t *testing.T, script string) []string {
	t.Helper()
	m := proto.NewMachine(Protocol)
	var out []string
	inBody := false
	last := "(greeting)"
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimRight(l, "\r")
		dir, text, _ := strings.Cut(l, ": ")
		switch dir {
		case "C":
			m.Sent(text)
			last = text
		case "S":
			if inBody {
				if text == "." {
					m.BodyDone()
					inBody = false
					out = append(out, fmt.Sprintf("%s -> %s", last, m.State()))
				} else {
					m.BodyLine([]byte(strings.TrimPrefix(text, ".")))
				}
				continue
			}
			rep, err := ParseStatus([]byte(text))
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if m.Received(rep) {
				inBody = true
				continue
			}
			out = append(out, fmt.Sprintf("%s -> %s", last, m.State()))
		}
	}
	return out
}

func expect(t *testing.T, got []string, want string) {
	t.Helper()
	prototest.Transitions(t, got, want)
}

// newPipeClient starts a client against a scripted server
// (prototest.PipeClient); p nil takes the protocol from the greeting.
func newPipeClient(t *testing.T, p proto.Protocol, script string) (*proto.Client, *prototest.Recorder, <-chan error) {
	t.Helper()
	return prototest.PipeClient(t, p, proto.Registry{smtp.Protocol, Protocol}, script)
}

func run(t *testing.T, c *proto.Client, cmds ...string) {
	t.Helper()
	prototest.Run(t, c, cmds...)
}

func TestAPOPDigest(t *testing.T) {
	// RFC 1939 §7.
	if d := APOPDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"); d != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Errorf("APOP: %s", d)
	}
}

// The lecture's Protocol session (login, STAT, LIST, RETR).
const lecturePOP3 = `
S: +OK Protocol localhost.localdomain v2001.78rh server ready
C: USER vmc
S: +OK User name accepted, password please
C: PASS secret
S: +OK Mailbox open, 24 messages
C: STAT
S: +OK 24 512235
C: LIST 22
S: +OK 22 397
C: RETR 22
S: +OK 397 octets
S: Return-Path: <batatas@quintal.net>
S: Date: Thu, 12 Dec 2002 20:13:17 GMT
S: From: batatas@quintal.net
S:
S: Ola,
S:
S: mensagem de teste
S: .
C: QUIT
S: +OK Sayonara
`

func TestMachineLecturePOP3(t *testing.T) {
	expect(t, feed(t, lecturePOP3), `
		(greeting) -> auth
		USER vmc -> pass
		PASS secret -> trans
		STAT -> trans
		LIST 22 -> trans
		RETR 22 -> trans
		QUIT -> closed`)
}

func TestMachineSecrets(t *testing.T) {
	m := proto.NewMachine(Protocol)
	m.Received(&proto.Reply{Proto: Protocol, Status: "+OK", Text: []string{"ready <1.2@host>"}})
	for _, tt := range []struct{ line, shown string }{
		{"APOP vmc c4c9334bac560ecc979e58001b3e22fb", "APOP vmc [redacted]"},
		{"AUTH PLAIN AHZtYwBzZWNyZXQ=", "AUTH PLAIN [redacted user=vmc]"},
		{"AUTH LOGIN dm1j", "AUTH LOGIN [redacted]"},
		{"AUTH LOGIN", "AUTH LOGIN"},
		{"USER vmc", "USER vmc"},
	} {
		if c := m.Classify(tt.line); c.Shown != tt.shown || c.Secret != (tt.shown != tt.line) {
			t.Errorf("%q: shown %q secret %v", tt.line, c.Shown, c.Secret)
		}
	}
	m.Sent("USER vmc")
	m.Received(&proto.Reply{Proto: Protocol, Status: "+OK"})
	if c := m.Classify("pass tanstaaf"); c.Shown != "PASS [redacted]" || !c.Secret {
		t.Errorf("PASS: %+v", c)
	}
	m.Sent("PASS tanstaaf")
	m.Received(&proto.Reply{Proto: Protocol, Status: "-ERR"})
	m.Sent("AUTH LOGIN")
	m.Received(&proto.Reply{Proto: Protocol, Status: "+", Text: []string{"VXNlcm5hbWU6"}})
	if c := m.Classify("dmNt"); !c.Secret || c.Shown != "[redacted]" {
		t.Errorf("SASL answer: %+v", c)
	}
	if c := m.Classify("*"); c.Secret {
		t.Errorf("SASL cancel is not secret: %+v", c)
	}
}

func TestMachinePOP3Messages(t *testing.T) {
	m := proto.NewMachine(Protocol)
	ok := func(text string) bool {
		return m.Received(&proto.Reply{Proto: Protocol, Status: "+OK", Text: []string{text}})
	}
	ok("ready")
	m.Sent("USER a")
	ok("")
	m.Sent("PASS b")
	ok("maildrop has 3 messages (900 octets)")
	if got := m.Snapshot().Messages; len(got) != 3 || got[0].Size != -1 {
		t.Fatalf("after login: %+v", got)
	}
	m.Sent("LIST")
	if !ok("3 messages") {
		t.Fatal("LIST without argument is multi-line")
	}
	for _, l := range []string{"1 100", "2 300", "3 500"} {
		m.BodyLine([]byte(l))
	}
	m.BodyDone()
	m.Sent("DELE 2")
	ok("message 2 deleted")
	got := m.Snapshot().Messages
	if len(got) != 2 || got[0] != (proto.MessageInfo{Num: 1, Size: 100}) || got[1].Num != 3 || got[1].Size != 500 {
		t.Fatalf("after DELE 2: %+v", got)
	}
	m.Sent("RSET")
	ok("")
	if got := m.Snapshot().Messages; len(got) != 3 {
		t.Fatalf("after RSET: %+v", got)
	}
	m.Sent("CAPA")
	if !ok("") {
		t.Fatal("CAPA is multi-line")
	}
	m.BodyLine([]byte("TOP"))
	m.BodyLine([]byte("SASL PLAIN"))
	m.BodyDone()
	s := m.Snapshot()
	if s.Has("UIDL") || !s.Has("TOP") {
		t.Errorf("capabilities: %v", s.Caps)
	}
	var names []string
	for _, c := range s.Commands() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "CAPA STAT LIST RETR TOP DELE NOOP RSET QUIT" {
		t.Errorf("transaction commands: %s", got)
	}
}

func TestClientLecturePOP3(t *testing.T) {
	c, rec, errc := newPipeClient(t, nil, lecturePOP3)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	run(t, c, "USER vmc", "PASS secret", "STAT", "LIST 22", "RETR 22", "QUIT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	got := rec.String()
	if strings.Contains(got, "secret") || !strings.Contains(got, "C: PASS [redacted]\n") {
		t.Errorf("password not redacted:\n%s", got)
	}
	if !strings.Contains(got, "S: mensagem de teste\nS: .\nC: QUIT\n") {
		t.Errorf("RETR body not reported line by line:\n%s", got)
	}
}

func TestParsePOP3Status(t *testing.T) {
	tests := []struct {
		in, status, resp, text string
		class                  proto.Class
		bad                    bool
	}{
		{"+OK Protocol localhost.localdomain v2001.78rh server ready", "+OK", "", "Protocol localhost.localdomain v2001.78rh server ready", proto.ClassPositive, false},
		{"+OK", "+OK", "", "", proto.ClassPositive, false},
		{"-ERR [IN-USE] mailbox locked", "-ERR", "IN-USE", "mailbox locked", proto.ClassPermanent, false},
		{"-ERR [SYS/TEMP] try later", "-ERR", "SYS/TEMP", "try later", proto.ClassPermanent, false},
		{"+ VXNlcm5hbWU6", "+", "", "VXNlcm5hbWU6", proto.ClassIntermediate, false},
		{"+", "+", "", "", proto.ClassIntermediate, false},
		{"+ok lower case", "+OK", "", "lower case", proto.ClassPositive, false},
		{"+OKAY", "", "", "", proto.ClassUnknown, true},
		{"220 smtp", "", "", "", proto.ClassUnknown, true},
	}
	for _, tt := range tests {
		rep, err := ParseStatus([]byte(tt.in))
		if tt.bad {
			if !errors.Is(err, proto.ErrProtocol) {
				t.Errorf("%q: err = %v, want proto.ErrProtocol", tt.in, err)
			}
			continue
		}
		if err != nil || rep.Status != tt.status || rep.RespCode != tt.resp || rep.Message() != tt.text || rep.Class() != tt.class {
			t.Errorf("%q: got %+v, %v", tt.in, rep, err)
		}
	}
}

func FuzzParsePOP3Status(f *testing.F) {
	for _, s := range []string{"+OK", "-ERR [IN-USE] x", "+ abc", "+", "-ERR [", "+OK ]["} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := ParseStatus(data)
		if err == nil && rep.Class() == proto.ClassUnknown {
			t.Fatalf("accepted %q without a class", data)
		}
	})
}

func TestAPOPTimestamp(t *testing.T) {
	tests := map[string]string{
		"Protocol server ready <1896.697170952@dbc.mtview.ca.us>": "<1896.697170952@dbc.mtview.ca.us>",
		"Protocol localhost.localdomain v2001.78rh server ready":  "",
		"Dovecot ready.": "",
		"<no-at-sign>":   "",
		"ready <a@b> x":  "<a@b>",
		"<unclosed@x":    "",
	}
	for in, want := range tests {
		if got := APOPTimestamp(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// FuzzMachine feeds the POP3 state machine an arbitrary exchange: lines
// that begin with "C" are sent, others are replies and bodies. It must
// never panic, and what it learns stays bounded.
func FuzzMachine(f *testing.F) {
	f.Add(lecturePOP3)
	f.Add("S: +OK\nC: CAPA\nS: +OK\nS: SASL PLAIN\nS: .\nC: AUTH\nS: +OK\nS: LOGIN\nS: .")
	f.Fuzz(func(t *testing.T, script string) {
		m := proto.NewMachine(Protocol)
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
			if r, err := ParseStatus([]byte(l)); err == nil {
				body = m.Received(r)
			}
		}
		s := m.Snapshot()
		if len(s.Messages) > proto.MaxMessages || len(s.Caps) > proto.MaxReplyLines+1 {
			t.Fatalf("learnt too much: %d messages, %d capabilities", len(s.Messages), len(s.Caps))
		}
	})
}

// A server that sends 50 MB without a line feed, in the greeting or in a
// message's body, gets "line too long" at once, and the client reads
// little more than MaxLine of it.
func TestEndlessLine(t *testing.T) {
	const total = 50 << 20
	for _, tc := range []struct {
		name, head, reply, command string
		p                          proto.Protocol
	}{
		{name: "greeting", head: "+OK "},
		{name: "body", p: Protocol, head: "+OK ready\r\n", reply: "+OK 52428800 octets\r\n", command: "RETR 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc, sc := net.Pipe()
			taken := prototest.Endless(sc, tc.head, tc.reply, total)
			c := proto.NewClientOf(cc, tc.p, nil, proto.Registry{Protocol})
			c.Timeout = 10 * time.Second
			rep, err := c.Greeting()
			if tc.command != "" {
				if err != nil {
					t.Fatalf("greeting: %v", err)
				}
				_, rep, err = c.Command(tc.command)
			}
			c.Close()
			n := <-taken
			if !errors.Is(err, proto.ErrLineTooLong) {
				t.Fatalf("reply %v, error %v; want line too long", rep, err)
			}
			if limit := proto.MaxLine + 512<<10; n > limit {
				t.Errorf("the client read %d bytes of the endless line, more than %d", n, limit)
			}
		})
	}
}

// :explain knows POP3's indicators and response codes beside SMTP's.
func TestExplainCode(t *testing.T) {
	reg := proto.Registry{smtp.Protocol, Protocol}
	for _, tt := range []struct{ in, want string }{
		{"-ERR", "-ERR: negative"},
		{"[IN-USE]", "IN-USE: the mailbox is locked"},
		{"550", "550: mailbox unavailable"},
	} {
		got, err := reg.ExplainCode(tt.in)
		if err != nil || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: %q %v", tt.in, got, err)
		}
	}
}

// POP3 has no literals: whatever follows PASS is the password, braces
// and all.
func TestPOP3SecretFrom(t *testing.T) {
	m := proto.NewMachine(Protocol)
	for _, tt := range []struct {
		line string
		want int
	}{
		{"PASS", -1},
		{"PASS {8}", 5},
		{"APOP demo {8}", 10},
		{"USER demo", -1},
	} {
		if got := m.SecretFrom(tt.line); got != tt.want {
			t.Errorf("SecretFrom(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}
