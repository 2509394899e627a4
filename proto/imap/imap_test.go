package imap

import (
	"errors"

	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
)

// imapSession is a session against a scripted Protocol server: greeting with
// capabilities, LOGIN, LIST, SELECT, a FETCH whose literal holds a line
// ")" and a dot line, STORE, LOGOUT.
const imapSession = `
S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR IDLE LITERAL+] ready
C: a1 LOGIN vmc secret
S: a1 OK [CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS LITERAL+] Logged in
C: a2 LIST "" "*"
S: * LIST (\HasNoChildren) "." INBOX
S: * LIST (\HasNoChildren) "." "Sent Items"
S: * LIST (\HasNoChildren) "." {5}
S: Trash
S: a2 OK done
C: a3 SELECT INBOX
S: * FLAGS (\Seen \Deleted $Junk)
S: * 2 EXISTS
S: * OK [UIDVALIDITY 7] ok
S: a3 OK [READ-WRITE] selected
C: a4 FETCH 2 (UID RFC822.SIZE BODY[])
S: * 2 FETCH (UID 41 RFC822.SIZE 20 BODY[] {20}
S: Subject: x
S: 
S: .
S: )
S: )
S: a4 OK fetched
C: a5 STORE 2 +FLAGS (\Seen)
S: * 2 FETCH (FLAGS (\Seen))
S: a5 OK stored
C: a6 LOGOUT
S: * BYE bye
S: a6 OK LOGOUT completed
S! close
`

func TestIMAPClientSession(t *testing.T) {
	c, rec, errc := newPipeClient(t, nil, imapSession)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	if c.Machine.Protocol() != Protocol {
		t.Fatalf("protocol from greeting: %v", c.Machine.Protocol())
	}
	steps := []struct {
		line  string
		state proto.State
		class proto.Class
	}{
		{"LOGIN vmc secret", Auth, proto.ClassPositive},
		{`LIST "" "*"`, Auth, proto.ClassPositive},
		{"SELECT INBOX", Selected, proto.ClassPositive},
		{"FETCH 2 (UID RFC822.SIZE BODY[])", Selected, proto.ClassPositive},
		{`STORE 2 +FLAGS (\Seen)`, Selected, proto.ClassPositive},
		{"LOGOUT", proto.StateClosed, proto.ClassPositive},
	}
	for _, s := range steps {
		_, rep, err := c.Command(s.line)
		if err != nil {
			t.Fatalf("%s: %v", s.line, err)
		}
		if rep == nil || rep.Class() != s.class || c.Machine.State() != s.state {
			t.Fatalf("%s: reply %v, state %v; want %v, %v", s.line, rep, c.Machine.State(), s.class, s.state)
		}
		if s.line == "FETCH 2 (UID RFC822.SIZE BODY[])" {
			snap := c.Machine.Snapshot()
			if snap.Mailbox != "INBOX" || snap.Count != 2 || len(snap.Messages) != 2 || snap.Messages[1].UID != "41" || snap.Messages[1].Size != 20 {
				t.Errorf("learnt %+v", snap)
			}
			if want := []string{"INBOX", "Sent Items", "Trash"}; strings.Join(snap.Mailboxes, ",") != strings.Join(want, ",") {
				t.Errorf("mailboxes %q, want %q", snap.Mailboxes, want)
			}
			if !snap.Has("MOVE") || snap.Has("STARTTLS") {
				t.Errorf("capabilities after LOGIN not learnt: %v", snap.Caps)
			}
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	got := rec.String()
	if strings.Contains(got, "secret") || !strings.Contains(got, "C: a1 LOGIN vmc [redacted]\n") {
		t.Errorf("password not redacted:\n%s", got)
	}
	// The literal's lines, ")" and "." among them, are the message's;
	// the ")" after the literal closes the FETCH.
	if !strings.Contains(got, "S: Subject: x\nS: \nS: .\nS: )\nS: )\nS: a4 OK fetched\n") {
		t.Errorf("literal not shown line by line:\n%s", got)
	}
	if strings.Contains(got, "nobody asked") {
		t.Errorf("untagged data taken for an unsolicited reply:\n%s", got)
	}
	// Begins marks the line announcing the message; its lines are
	// Literal body lines.
	begins, literal := 0, 0
	for _, e := range rec.Events() {
		if e.Begins {
			begins++
		}
		if e.Literal && e.Body {
			literal++
		}
	}
	if begins != 1 || literal != 5 {
		t.Errorf("%d lines begin a message, %d literal lines; want 1 and 5", begins, literal)
	}
}

// A literal typed by hand waits for "+", counts its octets down as the
// lines go, and the line that ends it ends the command; a LITERAL+
// literal goes without waiting.
func TestIMAPLiteralsTyped(t *testing.T) {
	c, _, errc := newPipeClient(t, Protocol, `
S: * OK [CAPABILITY IMAP4rev1 LITERAL+] ready
C: x9 LOGIN {3}
S: + go on
C: vmc {6}
S: + go on
C: secret
S: x9 OK in
C: a1 APPEND INBOX {4+}
C: ab
C: 
S: a1 OK appended
C: a2 LOGOUT
S: a2 OK bye
`)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	type step struct {
		line    string
		replied bool
		state   proto.State
		left    int64
	}
	for _, s := range []step{
		{"x9 LOGIN {3}", true, Literal, 3},
		{"vmc {6}", true, Literal, 6},
		{"secret", true, Auth, 0},
		{"APPEND INBOX {4+}", false, Literal, 4},
		{"ab", false, Literal, 0},
		{"", true, Auth, 0},
	} {
		cmd, rep, err := c.Command(s.line)
		if err != nil {
			t.Fatalf("%q: %v", s.line, err)
		}
		snap := c.Machine.Snapshot()
		if (rep != nil) != s.replied || snap.State != s.state || snap.LiteralLeft != s.left {
			t.Fatalf("%q: reply %v, state %v, %d octets left; want replied %v, %v, %d", s.line, rep, snap.State, snap.LiteralLeft, s.replied, s.state, s.left)
		}
		if s.line == "secret" && (!cmd.Secret || strings.Contains(cmd.Shown, "secret")) {
			t.Errorf("the password sent as a literal is shown: %q", cmd.Shown)
		}
	}
	run(t, c, "LOGOUT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// IDLE: the "+" puts the session in Idle, updates that arrive are
// learnt and shown (not taken for unsolicited replies), DONE ends it and
// the completion brings the state back.
func TestIMAPIdle(t *testing.T) {
	c, rec, errc := newPipeClient(t, Protocol, `
S: * PREAUTH [CAPABILITY IMAP4rev1 IDLE] ready
C: a1 SELECT INBOX
S: * 1 EXISTS
S: a1 OK selected
C: a2 IDLE
S: + idling
S: * 2 EXISTS
S: * 1 EXPUNGE
C: DONE
S: a2 OK IDLE done
C: a3 LOGOUT
S: a3 OK bye
`)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	if c.Machine.State() != Auth {
		t.Fatalf("PREAUTH led to %v", c.Machine.State())
	}
	run(t, c, "SELECT INBOX", "IDLE")
	if c.Machine.State() != Idle {
		t.Fatalf("after + idling: %v", c.Machine.State())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(rec.String(), "* 1 EXPUNGE") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := c.Machine.Snapshot().Count; n != 1 {
		t.Errorf("count after 2 EXISTS and an EXPUNGE: %d, want 1", n)
	}
	_, rep, err := c.Command("DONE")
	if err != nil || rep == nil || rep.Tag != "a2" {
		t.Fatalf("DONE: %v %v", rep, err)
	}
	if c.Machine.State() != Selected {
		t.Errorf("after IDLE: %v", c.Machine.State())
	}
	if strings.Contains(rec.String(), "nobody asked") {
		t.Errorf("IDLE's updates taken for unsolicited replies:\n%s", rec.String())
	}
	run(t, c, "LOGOUT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// AUTHENTICATE: without SASL-IR the initial response answers the empty
// challenge; the answer is redacted; the state passes through SASL.
func TestIMAPAuthenticate(t *testing.T) {
	c, rec, errc := newPipeClient(t, Protocol, `
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready
C: a1 AUTHENTICATE PLAIN
S: + 
C: AHZtYwBzZWNyZXQ=
S: a1 OK [CAPABILITY IMAP4rev1] authenticated
C: a2 LOGOUT
S: a2 OK bye
`)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	sc, err := proto.NewSASLClient("PLAIN", "vmc", "secret")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.Authenticate(sc, "secret", nil)
	if err != nil || rep.Class() != proto.ClassPositive {
		t.Fatalf("AUTHENTICATE: %v %v", rep, err)
	}
	if st := c.Machine.State(); st != Auth {
		t.Errorf("state %v", st)
	}
	if got := rec.String(); strings.Contains(got, "AHZtYwBzZWNyZXQ=") || !strings.Contains(got, "C: [redacted]") {
		t.Errorf("SASL answer not redacted:\n%s", got)
	}
	run(t, c, "LOGOUT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// SendLiteral streams a literal after the server's "+", and a server that
// refuses it is answered with nothing more.
func TestIMAPSendLiteral(t *testing.T) {
	c, _, errc := newPipeClient(t, Protocol, `
S: * PREAUTH ready
C: a1 APPEND INBOX {17}
S: + ok
C: Subject: a
C: 
C: .
C: 
S: a1 OK [APPENDUID 1 9] done
C: a2 APPEND INBOX {99}
S: a2 NO [OVERQUOTA] too big
C: a3 LOGOUT
S: a3 OK bye
`)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	msg := "Subject: a\r\n\r\n.\r\n"
	rep, err := SendLiteral(c, "APPEND INBOX {17}", strings.NewReader(msg), int64(len(msg)))
	if err != nil || rep.Class() != proto.ClassPositive {
		t.Fatalf("append: %v %v", rep, err)
	}
	rep, err = SendLiteral(c, "APPEND INBOX {99}", strings.NewReader(strings.Repeat("x", 99)), 99)
	if err != nil || rep.Status != "NO" || !(&proto.ReplyError{Reply: rep}).Temporary() {
		t.Fatalf("refused append: %v %v", rep, err)
	}
	if st := c.Machine.State(); st != Auth {
		t.Errorf("state after a refused literal: %v", st)
	}
	run(t, c, "LOGOUT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// The machine matches completions to commands by tag, whatever their
// order (pipelined commands), and a continuation to the last command.
func TestIMAPMachineTags(t *testing.T) {
	m := proto.NewMachine(Protocol)
	m.Received(&proto.Reply{Proto: Protocol, Tag: "*", Status: "OK"})
	a := m.Sent("NOOP")
	b := m.Sent("zz CAPABILITY")
	c := m.Sent("LOGIN u p")
	if a.Tag != "a1" || b.Tag != "zz" || c.Tag != "a2" || a.Line != "a1 NOOP" || b.Line != "zz CAPABILITY" {
		t.Fatalf("tags %q %q %q", a.Line, b.Line, c.Line)
	}
	m.Received(&proto.Reply{Proto: Protocol, Tag: "a2", Status: "OK"})
	if m.State() != Auth {
		t.Errorf("LOGIN's OK, received first, not applied: %v", m.State())
	}
	m.Received(&proto.Reply{Proto: Protocol, Tag: "zz", Status: "OK"})
	m.Received(&proto.Reply{Proto: Protocol, Tag: "a1", Status: "BAD"})
	if p := m.Pending(); p != nil {
		t.Errorf("still pending: %+v", p)
	}
	// A completion with a tag nobody used changes nothing.
	m.Received(&proto.Reply{Proto: Protocol, Tag: "q7", Status: "NO"})
	if m.State() != Auth {
		t.Errorf("a stray completion moved the state to %v", m.State())
	}
	if got := m.Snapshot().NextTag; got != "a3" {
		t.Errorf("next tag %q", got)
	}
}

func TestIMAPGreetings(t *testing.T) {
	for _, tc := range []struct {
		greeting string
		proto    proto.Protocol
	}{
		{"* OK IMAP4rev1 ready", Protocol},
		{"* ok ready", Protocol},
		{"* PREAUTH welcome", Protocol},
		{"* BYE too busy", Protocol},
		{"* NO", nil},
		{"+OK pop", pop3.Protocol},
		{"220 smtp", smtp.Protocol},
	} {
		if got := registry.ProtocolOf([]byte(tc.greeting)); got != tc.proto {
			t.Errorf("%q: %v, want %v", tc.greeting, got, tc.proto)
		}
	}
	c, _, _ := newPipeClient(t, nil, "S: * BYE [UNAVAILABLE] too busy\nS! close\n")
	rep, err := c.Greeting()
	if err != nil || rep.Status != "BYE" {
		t.Fatalf("BYE greeting: %v %v", rep, err)
	}
	<-c.Done()
	if !c.Closed() || c.Machine.Snapshot().ClosedBy == nil {
		t.Errorf("a BYE greeting did not close the session")
	}
}

// A hostile or broken server: a literal cut short by a close, a
// completion without a tag, absurd numbers. Each is an error or is
// ignored, never a panic or a hang.
func TestIMAPHostile(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		want         error
	}{
		{"literal cut short", "S: * 1 FETCH (BODY[] {100}\nS: only this\nS! close\n", proto.ErrClosed},
		{"huge literal then close", "S: * 1 FETCH (BODY[] {999999999999999999}\nS! close\n", proto.ErrClosed},
		{"no tag", "S: garbage\n", proto.ErrProtocol},
		{"bad status", "S: a1 MAYBE\n", proto.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newPipeClient(t, Protocol, "S: * OK ready\nC: a1 FETCH 1 BODY[]\n"+tc.script)
			if _, err := c.Greeting(); err != nil {
				t.Fatal(err)
			}
			c.Machine.Locked(func(s *proto.Session) { s.Go(Selected) })
			_, _, err := c.Command("FETCH 1 BODY[]")
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	m := proto.NewMachine(Protocol)
	for _, resp := range []string{"* 99999999999 EXISTS", "* 3 FETCH (UID", "* LIST (", `* 1 FETCH (RFC822.SIZE x UID "`} {
		m.Locked(func(s *proto.Session) { untagged(s, resp) })
	}
	if n := m.Snapshot().Count; n > proto.MaxMessages {
		t.Errorf("count %d learnt from a hostile EXISTS", n)
	}
}

func TestIMAPQuote(t *testing.T) {
	for in, want := range map[string]string{
		"INBOX":      "INBOX",
		"Sent Items": `"Sent Items"`,
		`a"b\c`:      `"a\"b\\c"`,
		"":           `""`,
		"%":          `"%"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		if f := fields(Quote(in)); in != "" && (len(f) != 1 || f[0] != in) {
			t.Errorf("%q does not read back: %q", in, f)
		}
	}
}

// A password with 8-bit octets goes as a literal after the server's "+",
// masked, since a quoted string holds 7-bit text only (RFC 3501 §4.3).
func TestIMAPLoginEightBit(t *testing.T) {
	c, rec, errc := newPipeClient(t, Protocol, `
S: * OK ready
C: a1 LOGIN vmc {7}
S: + go on
C: sécret
S: a1 OK in
C: a2 LOGOUT
S: a2 OK bye
`)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	rep, err := Login(c, "vmc", "sécret")
	if err != nil || rep.Class() != proto.ClassPositive || c.Machine.State() != Auth {
		t.Fatalf("login: %v %v, state %v", rep, err, c.Machine.State())
	}
	if got := rec.String(); strings.Contains(got, "sécret") || !strings.Contains(got, "C: [redacted]") {
		t.Errorf("the password sent as a literal is not masked:\n%s", got)
	}
	run(t, c, "LOGOUT")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Where a LOGIN line's password begins, for the painter that masks it;
// a literal's announcement there is no secret.
func TestIMAPSecretFrom(t *testing.T) {
	m := proto.NewMachine(Protocol)
	for _, tt := range []struct {
		line string
		want int
	}{
		{"LOGIN demo", -1},
		{"LOGIN demo ", 11},
		{"LOGIN demo pw", 11},
		{"x1 LOGIN demo pw", 14},
		{"LOGIN demo {8}", -1},
		{"LOGIN demo {8+}", -1},
		{"LOGIN demo {8}\n", -1},
		{"LOGIN demo {8", 11},
		{"LOGIN demo {8}x", 11},
		{"LOGIN demo x{8}", 11},
		{"LOGIN démo pw", 11},
		{"NOOP pw", -1},
	} {
		if got := m.SecretFrom(tt.line); got != tt.want {
			t.Errorf("SecretFrom(%q) = %d, want %d", tt.line, got, tt.want)
		}
	}
}
