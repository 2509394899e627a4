// Package smtp is SMTP for mailsh's protocol engine (RFC 5321, with EHLO's
// extensions: STARTTLS of RFC 3207, AUTH of RFC 4954, PIPELINING, SIZE,
// 8BITMIME, CHUNKING, DSN, SMTPUTF8), as a client speaks it: multi-line
// replies, the mail transaction, message text up to a lone ".".
package smtp

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// Protocol is SMTP.
var Protocol = &proto.Spec{
	Name:  "smtp",
	Table: Commands,
	// RFC 5321 §4.5.4.2 (25), RFC 8314 (465), RFC 6409 (587).
	Schemes: map[string]proto.Scheme{
		"smtp":       {Port: 25},
		"smtps":      {Port: 465, ImplicitTLS: true},
		"submission": {Port: 587, StartTLS: true},
	},
	Scheme: "smtp", SchemeTLS: "smtps",
	Greets: func(line []byte) bool {
		return len(line) >= 3 && line[0] >= '0' && line[0] <= '9'
	},
	GreetingLooks: "220",
	Greeting:      greetingCmd, SASLAnswer: saslCmd, EndText: endDataCmd,
	StartTLS: "STARTTLS", AfterTLS: Connected,
	ParseStatus: parseStatus,
	Continues:   addLine,
	Class:       class, Label: label, Explain: explain, Temporary: temporary,
	ExplainWord: explainWord,
	Hello:       "EHLO",
	// RFC 5321 §3.8: 421 may come at any time and ends the session. 221
	// is "closing the transmission channel" (§4.2.2) whatever it answers:
	// Postfix gives it to a command it takes for an attack ("221 2.7.0
	// Error: I can break rules, too. Goodbye.").
	Closes: func(r *proto.Reply, c *proto.Cmd) bool {
		return r.Code == 421 || r.Code == 221 && (c == nil || c.Spec == nil || c.Spec.Name != "QUIT")
	},
	Advertised: func(s *proto.Snapshot, ext string) (string, bool) {
		v, ok := s.Caps[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "AUTH",
	Quit:       "QUIT",
	Auth:       "AUTH", InitialResponse: func(*proto.Snapshot) bool { return true },
	Login: &proto.Login{States: proto.States(Ready), NeedMechanisms: true,
		Where: "AUTH is sent after EHLO and outside a transaction"},
	Report: report,
	Mail: &proto.Mail{
		Envelope: func(from string, rcpts []string) []string {
			lines := []string{"MAIL FROM:<" + from + ">"}
			for _, r := range rcpts {
				lines = append(lines, "RCPT TO:<"+r+">")
			}
			return lines
		},
		Ready: Ready, Data: "DATA", Reset: "RSET", Chunks: "BDAT", ChunksExt: "CHUNKING",
		NotReady: `needs the "mail" state after EHLO or HELO`, Recipient: "an accepted RCPT",
	},
	Hooks: &proto.Hooks{NewLearnt: newLearnt, Fill: fill},
}

// SMTP's states (RFC 5321).
var (
	// Connected: greeted with 220; EHLO or HELO comes next (RFC 5321 §4.1.4).
	Connected = proto.NewState("helo", "connected; introduce yourself with EHLO or HELO", proto.Commands)
	// Rejected: greeted with 554; only QUIT is useful (RFC 5321 §3.1).
	Rejected = proto.NewState("rejected", "the server refused the session (554); send QUIT", proto.Commands)
	// Ready: after EHLO/HELO or a finished transaction; MAIL may start one.
	Ready = proto.NewState("mail", "ready for a new message: MAIL FROM:<address>", proto.Commands)
	// Mail: MAIL accepted; RCPT comes next.
	Mail = proto.NewState("rcpt", "sender accepted; add recipients with RCPT TO:<address>", proto.Transaction)
	// Rcpt: at least one RCPT accepted; more RCPT, DATA or BDAT.
	Rcpt = proto.NewState("rcpt/data", "recipients accepted; add more, or send the message with DATA", proto.Transaction)
	// Data: after 354; the message is being sent, up to a lone ".".
	Data = proto.NewState("data", "sending the message; end it with a line holding only \".\"", proto.Text)
	// Bdat: in a sequence of BDAT chunks, before the LAST one (RFC 3030).
	Bdat = proto.NewState("bdat", "sending the message in BDAT chunks; finish with BDAT n LAST", proto.Transaction)
	// SASL: in a SASL exchange; the next line is a response (RFC 4954).
	SASL = proto.NewState("auth", "authenticating; answer the server's challenge (\"*\" cancels)", proto.SASLAnswer)
)

// learnt is what an SMTP session learns: whether EHLO or HELO was
// accepted, the extensions, and the addresses used.
type learnt struct {
	greeted    bool
	esmtp      bool
	ext        map[string]string
	senders    []string
	recipients []string // of the open transaction
	used       []string // every address used in MAIL or RCPT
}

// newLearnt starts afresh, after the greeting or STARTTLS (RFC 3207 §4.2:
// what the server said before is forgotten); the addresses used stay, for
// completion.
func newLearnt(old any) any {
	l := &learnt{ext: map[string]string{}}
	if o, ok := old.(*learnt); ok {
		l.senders, l.recipients, l.used = o.senders, o.recipients, o.used
	}
	return l
}

func of(s *proto.Session) *learnt { return s.Learnt().(*learnt) }

func fill(s *proto.Session, snap *proto.Snapshot) {
	l := of(s)
	snap.Greeted, snap.CapsKnown = l.greeted, l.esmtp
	snap.Caps = make(map[string]string, len(l.ext))
	for k, v := range l.ext {
		snap.Caps[k] = v
	}
	snap.Senders = append([]string(nil), l.senders...)
	snap.Recipients = append([]string(nil), l.recipients...)
	snap.Used = append([]string(nil), l.used...)
}

// report is what :state says of an SMTP session.
func report(s *proto.Snapshot) []string {
	var out []string
	switch {
	case !s.Greeted:
		out = append(out, "extensions: unknown until EHLO")
	case !s.CapsKnown:
		out = append(out, "extensions: none (HELO)")
	default:
		out = append(out, "extensions:")
		out = append(out, proto.ReportTable(s.Caps)...)
	}
	if len(s.Recipients) > 0 {
		out = append(out, "recipients: "+strings.Join(s.Recipients, ", "))
	}
	return out
}
