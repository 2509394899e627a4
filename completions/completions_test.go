package completions

import (
	"sort"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/imap"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/raw"
	"github.com/mailsh/mailsh/proto/smtp"
)

// machine builds a state machine by replaying an exchange.
func machine(t *testing.T, p proto.Protocol, script ...string) *proto.Machine {
	t.Helper()
	m := proto.NewMachine(p)
	var rep *proto.Reply
	body := false
	for _, l := range script {
		dir, text, _ := strings.Cut(l, ": ")
		if dir == "C" {
			m.Sent(text)
			continue
		}
		if body {
			if text == "." {
				m.BodyDone()
				body = false
			} else {
				m.BodyLine([]byte(text))
			}
			continue
		}
		if p == pop3.Protocol {
			r, err := pop3.ParseStatus([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			body = m.Received(r)
			continue
		}
		if rep == nil {
			rep = &proto.Reply{Proto: smtp.Protocol}
		}
		code, more, txt, err := smtp.ParseLine([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		rep.Code = code
		rep.Lines = append(rep.Lines, text)
		rep.Text = append(rep.Text, txt)
		if !more {
			m.Received(rep)
			rep = nil
		}
	}
	return m
}

func texts(r Result) string {
	var out []string
	for _, c := range r.Candidates {
		out = append(out, c.Text)
	}
	return strings.Join(out, " ")
}

var metas = []Meta{{Name: "auth", ArgKind: "mech"}, {Name: "data", ArgKind: "file"}, {Name: "help", ArgKind: "meta"}, {Name: "quit"}, {Name: "connect", ArgKind: "target"}}

func check(t *testing.T, m *proto.Machine, tests []struct{ line, want string }) {
	t.Helper()
	ctx := Context{Snap: m.Snapshot(), Meta: metas, Targets: []string{"pop3", "smtp"}, EHLONames: []string{"localhost"}}
	for _, tt := range tests {
		if got := texts(Complete(ctx, tt.line, len(tt.line))); got != tt.want {
			t.Errorf("%s %q: got %q, want %q", ctx.Snap.State, tt.line, got, tt.want)
		}
	}
}

const ehlo = `S: 250-localhost
S: 250-SIZE 10240000
S: 250-8BITMIME
S: 250-DSN
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250-STARTTLS
S: 250-CHUNKING
S: 250 SMTPUTF8`

func smtpAfterEHLO(t *testing.T, extra ...string) *proto.Machine {
	script := append([]string{"S: 220 x", "C: EHLO me"}, strings.Split(ehlo, "\n")...)
	return machine(t, smtp.Protocol, append(script, extra...)...)
}

func TestSMTPGreeted(t *testing.T) {
	check(t, machine(t, smtp.Protocol, "S: 220 x"), []struct{ line, want string }{
		{"", "EHLO EXPN HELO HELP NOOP QUIT RSET VRFY"},
		{"EH", "EHLO"},
		{"eh", "ehlo"},
		{"sta", ""}, // STARTTLS is not advertised before EHLO
		{"MA", ""},  // no MAIL before EHLO
		{"EHLO ", "localhost"},
		{":", ":auth :connect :data :help :quit"},
		{":connect p", "pop3 pop3:// pop3s:// pop:// pops://"},
	})
}

func TestSMTPRejected(t *testing.T) {
	check(t, machine(t, smtp.Protocol, "S: 554 no service"), []struct{ line, want string }{
		{"", "QUIT"},
	})
}

func TestSMTPReady(t *testing.T) {
	m := smtpAfterEHLO(t)
	check(t, m, []struct{ line, want string }{
		{"STA", "STARTTLS"},
		{"AUTH ", "CRAM-MD5 LOGIN PLAIN"},
		{"auth p", "plain"},
		{"MAIL ", "FROM:<"},
		{"mail f", "from:<"},
		{"MAIL FROM:<", "FROM:<>"},
		{"MAIL FROM:<a@b> ", "AUTH=<> BODY=8BITMIME ENVID= RET=FULL RET=HDRS SIZE= SMTPUTF8"},
		{"MAIL FROM:<a@b> SIZE=10 ", "AUTH=<> BODY=8BITMIME ENVID= RET=FULL RET=HDRS SMTPUTF8"},
		{"RC", ""},   // no RCPT before MAIL
		{"DATA", ""}, // no DATA before RCPT
		{"BD", ""},
		{":auth ", "CRAM-MD5 LOGIN PLAIN"},
	})
	// SIZE's hint gives the limit the server advertised; the null
	// sender's says what it is.
	for line, want := range map[string]string{
		"MAIL FROM:<a@b> SI": "the server allows 10240000 octets",
		"MAIL FROM:<":        "the null sender (bounces)",
	} {
		r := Complete(Context{Snap: m.Snapshot()}, line, len(line))
		if len(r.Candidates) != 1 || !strings.Contains(r.Candidates[0].Hint, want) {
			t.Errorf("%q: %+v; want one candidate whose hint says %q", line, r.Candidates, want)
		}
	}
	// After STARTTLS the advertised set is forgotten, then re-learnt.
	m.Sent("STARTTLS")
	m.Received(&proto.Reply{Proto: smtp.Protocol, Code: 220, Lines: []string{"220 go"}, Text: []string{"go"}})
	m.StartedTLS()
	check(t, m, []struct{ line, want string }{
		{"STA", ""},
		{"AUTH ", ""},
	})
	m2 := smtpAfterEHLO(t)
	m2.Sent("STARTTLS")
	m2.Received(&proto.Reply{Proto: smtp.Protocol, Code: 220, Lines: []string{"220 go"}, Text: []string{"go"}})
	m2.StartedTLS()
	m2.Sent("EHLO me")
	m2.Received(&proto.Reply{Proto: smtp.Protocol, Code: 250, Lines: []string{"250-x", "250 AUTH PLAIN"}, Text: []string{"x", "AUTH PLAIN"}})
	check(t, m2, []struct{ line, want string }{
		{"STA", ""}, // not offered again on TLS
		{"AUTH ", "PLAIN"},
	})
}

func TestSMTPTransaction(t *testing.T) {
	m := smtpAfterEHLO(t, "C: MAIL FROM:<antunes@ipleiria.pt>", "S: 250 ok")
	check(t, m, []struct{ line, want string }{
		{"R", "RCPT RSET"},
		{"RCPT TO:<", "TO:<antunes@ipleiria.pt>"},
		{"rcpt to:<a", "to:<antunes@ipleiria.pt>"},
		{"rcpt to: <", "<antunes@ipleiria.pt>"}, // the lecture's spacing
		{"rcpt to: ", "<antunes@ipleiria.pt>"},
		{"RCPT TO:<x@y> ", "NOTIFY=NEVER NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;"},
		{"DA", ""},
		{"BD", ""},
	})
	m = smtpAfterEHLO(t, "C: MAIL FROM:<a@b>", "S: 250 ok", "C: RCPT TO:<c@d>", "S: 250 ok")
	check(t, m, []struct{ line, want string }{
		{"DA", "DATA"},
		{"BD", "BDAT"},
		{"BDAT 100 ", "LAST"},
		{"MA", ""},
	})
	m.Sent("DATA")
	m.Received(&proto.Reply{Proto: smtp.Protocol, Code: 354})
	check(t, m, []struct{ line, want string }{
		{"", ""},
		{"Subj", ""},
		{":", ":abort"},
	})
}

func TestSMTPAuthExchange(t *testing.T) {
	m := smtpAfterEHLO(t, "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6")
	check(t, m, []struct{ line, want string }{
		{"", "*"},
		{"dG", ""},
	})
}

const capa = `S: +OK
S: CAPA
S: TOP
S: UIDL
S: USER
S: SASL PLAIN LOGIN
S: STLS
S: .`

func TestPOP3Authorization(t *testing.T) {
	m := machine(t, pop3.Protocol, "S: +OK ready <1.2@host>")
	check(t, m, []struct{ line, want string }{
		{"", "APOP AUTH CAPA QUIT STLS USER"},
		{"PA", ""}, // PASS only right after USER
		{"RE", ""},
		{"us", "user"},
	})
	m = machine(t, pop3.Protocol, "S: +OK ready")
	check(t, m, []struct{ line, want string }{
		{"", "AUTH CAPA QUIT STLS USER"}, // no APOP without a timestamp
	})
	m = machine(t, pop3.Protocol, append([]string{"S: +OK ready", "C: CAPA"}, strings.Split(capa, "\n")...)...)
	check(t, m, []struct{ line, want string }{
		{"AUTH ", "LOGIN PLAIN"},
		{":auth ", "LOGIN PLAIN USER"},
	})
	m = machine(t, pop3.Protocol, "S: +OK ready", "C: USER vmc", "S: +OK")
	check(t, m, []struct{ line, want string }{
		{"", "PASS QUIT"},
	})
}

func TestPOP3Transaction(t *testing.T) {
	m := machine(t, pop3.Protocol, "S: +OK ready", "C: USER vmc", "S: +OK", "C: PASS x", "S: +OK Mailbox open, 24 messages",
		"C: LIST", "S: +OK", "S: 1 100", "S: 2 397", "S: 10 5000", "S: .", "C: DELE 2", "S: +OK deleted")
	check(t, m, []struct{ line, want string }{
		{"", "CAPA DELE LIST NOOP QUIT RETR RSET STAT TOP UIDL"},
		{"RETR ", "1 10"},
		{"retr 1", "1 10"},
		{"DELE ", "1 10"},
		{"TOP 1 ", "0 10"},
		{"US", ""},
	})
	r := Complete(Context{Snap: m.Snapshot()}, "RETR ", 5)
	if r.Candidates[1].Hint != "5000 octets" {
		t.Errorf("size hint: %+v", r.Candidates)
	}
}

func TestCommonPrefix(t *testing.T) {
	if p := CommonPrefix([]Candidate{{Text: "RCPT"}, {Text: "RSET"}}); p != "R" {
		t.Error(p)
	}
	if p := CommonPrefix([]Candidate{{Text: "FROM:<a@b>"}, {Text: "FROM:<a@c>"}}); p != "FROM:<a@" {
		t.Error(p)
	}
}

func TestOtherStates(t *testing.T) {
	// Waiting for the greeting: nothing is valid yet but the meta-commands.
	check(t, proto.NewMachine(smtp.Protocol), []struct{ line, want string }{
		{"", ""},
		{":q", ":quit"},
	})
	check(t, proto.NewMachine(pop3.Protocol), []struct{ line, want string }{
		{"", ""},
	})
	// A POP3 SASL exchange: only the way out.
	check(t, machine(t, pop3.Protocol, "S: +OK ready", "C: AUTH LOGIN", "S: + VXNlcm5hbWU6"), []struct{ line, want string }{
		{"", "*"},
		{"US", ""},
	})
	// Between BDAT chunks: more BDAT, or RSET.
	m := smtpAfterEHLO(t, "C: MAIL FROM:<a@b>", "S: 250 ok", "C: RCPT TO:<c@d>", "S: 250 ok", "C: BDAT 10", "S: 250 2.0.0 10 octets")
	check(t, m, []struct{ line, want string }{
		{"", "BDAT EXPN HELP NOOP QUIT RSET VRFY"},
		{"DA", ""},
	})
	// Closed: only the meta-commands, offered on an empty line too.
	m = machine(t, smtp.Protocol, "S: 220 x", "C: QUIT", "S: 221 bye")
	check(t, m, []struct{ line, want string }{
		{"", ":auth :connect :data :help :quit"},
		{":c", ":connect"},
	})
}

// A protocol without commands of its own (raw line mode): TAB on an empty
// line offers mailsh's commands.
func TestRawOffersMeta(t *testing.T) {
	t.Parallel()
	ctx := Context{Snap: proto.NewMachine(raw.Protocol).Snapshot(), Meta: []Meta{{Name: "connect"}, {Name: "help"}}}
	r := Complete(ctx, "", 0)
	var got []string
	for _, c := range r.Candidates {
		got = append(got, c.Text)
	}
	if strings.Join(got, " ") != ":connect :help" {
		t.Fatalf("got %q", got)
	}
}

// A meta-command's first word comes from its own table row (Subs).
func TestMetaSubcommands(t *testing.T) {
	t.Parallel()
	ctx := Context{
		Meta: []Meta{
			{Name: "raw", Subs: []string{"on", "off", "send"}},
			{Name: "transcript", ArgKind: "transcript", Subs: []string{"start", "stop", "status"}},
		},
		Files: func(string) []string { return []string{"session.txt"} },
	}
	for _, tc := range []struct{ line, want string }{
		{":raw ", "off on send"},
		{":transcript st", "start status stop"},
		{":transcript start ", "session.txt"},
	} {
		var got []string
		for _, c := range Complete(ctx, tc.line, len(tc.line)).Candidates {
			got = append(got, c.Text)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

// IMAP: what completion offers comes from the state, the capabilities
// and what the server listed, with or without a tag typed first.
func TestIMAPArguments(t *testing.T) {
	caps := map[string]string{"IMAP4REV1": "", "SPECIAL-USE": "", "MOVE": "", "UIDPLUS": "", "AUTH": "PLAIN"}
	sel := &proto.Snapshot{Proto: imap.Protocol, State: imap.Selected, CapsKnown: true, Caps: caps, Count: 3,
		Messages:  []proto.MessageInfo{{Num: 1, UID: "7"}, {Num: 2, UID: "9"}, {Num: 3, UID: "12"}},
		Mailboxes: []string{"INBOX", "Sent Items", "Trash"}, Mailbox: "INBOX"}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"FETCH ", []string{"*", "1", "1:*", "2", "3"}},
		{"x9 FETCH 2", []string{"2"}},
		{"UID FETCH 1", []string{"12", "1:*"}},
		{"UID ", []string{"COPY", "EXPUNGE", "FETCH", "MOVE", "SEARCH", "STORE"}},
		{`COPY 1 "S`, []string{`"Sent Items"`}},
		{"MOVE 1:* T", []string{"Trash"}},
		{"STORE 1 -F", []string{"-FLAGS", "-FLAGS.SILENT"}},
		{`STORE 1 +FLAGS (\D`, []string{`(\Deleted`, `(\Draft`}},
		{"FETCH 1 (BODY.P", []string{"(BODY.PEEK[HEADER]", "(BODY.PEEK[]"}},
		{`LIST "" "*" RETURN`, []string{"RETURN (SPECIAL-USE)"}},
		{"SEARCH UN", []string{"UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNKEYWORD", "UNSEEN"}},
		{"a7 ", nil}, // filled below: the commands of the state
	} {
		r := Complete(Context{Snap: sel}, tc.line, len(tc.line))
		var got []string
		for _, c := range r.Candidates {
			got = append(got, c.Text)
		}
		want := tc.want
		if tc.line == "a7 " {
			for _, c := range sel.Commands() {
				want = append(want, c.Name)
			}
			sort.Slice(want, func(i, j int) bool { return lessNatural(want[i], want[j]) })
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q: %q, want %q", tc.line, got, want)
		}
	}
	// Not authenticated: no mailbox commands; LOGIN unless LOGINDISABLED.
	na := &proto.Snapshot{Proto: imap.Protocol, State: imap.NotAuth, CapsKnown: true, Caps: map[string]string{"LOGINDISABLED": "", "STARTTLS": ""}}
	var names []string
	for _, c := range na.Commands() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "CAPABILITY NOOP LOGOUT STARTTLS AUTHENTICATE" {
		t.Errorf("not authenticated, LOGINDISABLED: %s", got)
	}
}
