// Package imap is IMAP for mailsh's protocol engine (RFC 9051 IMAP4rev2
// and RFC 3501 IMAP4rev1), as a client speaks it: commands with tags,
// completions matched to them by tag, untagged data learnt from as it
// comes, continuation requests, and literals both ways, read by count.
package imap

import (
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// Protocol is IMAP.
var Protocol = &proto.Spec{
	Name:  "imap",
	Table: Commands,
	// RFC 9051 (143), RFC 8314 (993).
	Schemes: map[string]proto.Scheme{
		"imap":  {Port: 143},
		"imaps": {Port: 993, ImplicitTLS: true},
	},
	Scheme: "imap", SchemeTLS: "imaps",
	Greets: func(line []byte) bool {
		s := string(line)
		return hasPrefixFold(s, "* OK") || hasPrefixFold(s, "* PREAUTH") || hasPrefixFold(s, "* BYE")
	},
	GreetingLooks: "* OK",
	Greeting:      greetingCmd,
	StartTLS:      "STARTTLS", AfterTLS: NotAuth,
	ParseStatus: func(line string) (*proto.Reply, error) { return parseStatus([]byte(line)) },
	Class:       func(r *proto.Reply) proto.Class { return class(r.Status) },
	Label:       label, Explain: explain, Temporary: temporary, ExplainWord: explainWord,
	Closes: func(*proto.Reply, *proto.Cmd) bool { return false },
	// RFC 9051 §6.1.1: the capabilities are listed in the greeting or
	// on request; until then assume nothing is missing.
	Advertised: func(s *proto.Snapshot, ext string) (string, bool) {
		if !s.CapsKnown {
			return "", true
		}
		v, ok := s.Caps[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "AUTH",
	Tagged:     true,
	Announces: func(s string) bool {
		_, _, at, ok := literalAt(s)
		return ok && at == 0
	},
	Quit: "LOGOUT",
	Login: &proto.Login{States: proto.States(NotAuth), Where: "log in from the not-authenticated state",
		Plain: "LOGIN", PlainLogin: Login, PlainOff: "LOGINDISABLED",
		Methods: []proto.LoginMethod{{Name: "LOGIN", Help: "IMAP's LOGIN command, or the SASL mechanism if advertised"}}},
	Report:   report,
	Retrieve: func(n string) string { return "FETCH " + n + " BODY.PEEK[]" },
	Quote:    Quote,
	Words:    words,
	Append:   Append,
	IdleEnd:  "DONE",
	Auth:     "AUTHENTICATE",
	InitialResponse: func(s *proto.Snapshot) bool {
		_, ok := s.Caps["SASL-IR"]
		return ok
	},
	Hooks: &proto.Hooks{
		NewLearnt: newLearnt,
		Classify:  classify, Sent: sent, Received: received, Fill: fill,
		SplitTag: SplitTag, Read: read,
	},
}

// IMAP's states (RFC 9051 §3).
var (
	// NotAuth: the Not Authenticated state of RFC 9051 §3.1.
	NotAuth = proto.NewState("login", "not authenticated: LOGIN or AUTHENTICATE (STARTTLS first on a network)", proto.Commands)
	// Auth: the Authenticated state (RFC 9051 §3.2): a mailbox may be
	// selected.
	Auth = proto.NewState("auth", "authenticated: SELECT a mailbox, or LIST, CREATE, STATUS, APPEND, …", proto.Commands)
	// Selected: a mailbox is selected (RFC 9051 §3.3).
	Selected = proto.NewState("selected", "a mailbox is selected: FETCH, SEARCH, STORE, COPY, EXPUNGE, …; CLOSE leaves it", proto.Commands)
	// SASL: in an AUTHENTICATE exchange (RFC 9051 §6.2.2).
	SASL = proto.NewState("sasl", "authenticating; answer the server's challenge (\"*\" cancels)", proto.SASLAnswer)
	// Idle: IDLE accepted; updates arrive until DONE (RFC 2177).
	Idle = proto.NewState("idle", "idling: updates appear as they come; DONE (or Ctrl-C) ends it", proto.Idle)
	// Literal: the server is ready for a literal's octets (RFC 9051
	// §4.3): what is typed goes as it is until the count runs out.
	Literal = proto.NewState("literal", "sending a literal: what you type goes as it is, each line with CRLF, until its octets are counted out", proto.Literal)
)

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// report is what :state says of an IMAP session.
func report(s *proto.Snapshot) []string {
	var out []string
	if s.CapsKnown {
		out = append(out, "capabilities:")
		out = append(out, proto.ReportTable(s.Caps)...)
	} else {
		out = append(out, "capabilities: unknown (send CAPABILITY)")
	}
	if len(s.Mailboxes) > 0 {
		names := make([]string, len(s.Mailboxes))
		for i, m := range s.Mailboxes {
			names[i] = Quote(m)
		}
		out = append(out, "mailboxes: "+strings.Join(names, " "))
	}
	if s.Mailbox != "" {
		mode := "read-write"
		if s.ReadOnly {
			mode = "read-only"
		}
		out = append(out, fmt.Sprintf("selected: %s (%s)", Quote(s.Mailbox), mode))
		out = append(out, proto.ReportMessages(s, "unknown"))
	}
	return out
}
