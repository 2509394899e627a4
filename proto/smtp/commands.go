package smtp

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// open are the states in which a session is open and greeted.
var open = proto.States(Connected, Ready, Mail, Rcpt, Bdat)

// anyState adds the rejected state, where RFC 5321 §3.1 still expects QUIT.
var anyState = proto.States(Connected, Rejected, Ready, Mail, Rcpt, Bdat)

// Commands is the SMTP command table (RFC 5321 §4.1 and extensions).
var Commands = proto.Table{
	{Name: "EHLO", ArgKind: proto.ArgHostname, Syntax: "<domain>", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.1",
		Help:   "introduce yourself and ask which extensions the server offers",
		States: proto.States(Connected, Ready, Mail, Rcpt),
		OnOK:   Ready, Effect: learnEHLO},
	{Name: "HELO", ArgKind: proto.ArgHostname, Syntax: "<domain>", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.1",
		Help:   "introduce yourself, old style (no extensions)",
		States: proto.States(Connected, Ready, Mail, Rcpt),
		OnOK:   Ready, Effect: learnHELO},
	{Name: "STARTTLS", Arity: proto.ArgNone, RFC: "RFC 3207 §4", Ext: "STARTTLS",
		Help:   "switch the connection to TLS; EHLO again afterwards",
		States: proto.States(Connected, Ready),
		Offer:  func(s *proto.Snapshot) bool { return !s.TLS }},
	{Name: "AUTH", ArgKind: proto.ArgMechanism, Syntax: "<mechanism> [initial-response]", Arity: proto.ArgRequired, RFC: "RFC 4954 §4", Ext: "AUTH",
		Help:   "log in with a SASL mechanism the server lists",
		States: proto.States(Ready),
		Offer:  func(s *proto.Snapshot) bool { return !s.Authenticated },
		Secret: proto.RedactAuth, SecretAfter: 1,
		OnCont: SASL, Effect: learnAuth},
	{Name: "MAIL", ArgKind: proto.ArgPath, Syntax: "FROM:<reverse-path> [parameters]", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.2",
		Help:     "start a message: give the envelope sender",
		States:   proto.States(Ready),
		NullPath: "the null sender (bounces)", Params: mailParams,
		OnOK: Mail, Effect: learnMail},
	{Name: "RCPT", ArgKind: proto.ArgPath, Syntax: "TO:<forward-path> [parameters]", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.3",
		Help:   "add an envelope recipient",
		States: proto.States(Mail, Rcpt),
		Params: rcptParams,
		OnOK:   Rcpt, Effect: learnRcpt},
	{Name: "DATA", Arity: proto.ArgNone, RFC: "RFC 5321 §4.1.1.4",
		Help:   "send the message text, ended by a line holding only \".\"",
		States: proto.States(Rcpt),
		OnCont: Data},
	{Name: "BDAT", ArgKind: proto.ArgChunk, Syntax: "<chunk-size> [LAST]", Arity: proto.ArgRequired, RFC: "RFC 3030 §2", Ext: "CHUNKING",
		Help:   "send the message in chunks of an exact size, the last marked LAST",
		States: proto.States(Rcpt, Bdat),
		OnOK:   Bdat, OnFail: Ready, Effect: learnBdat},
	{Name: "RSET", Arity: proto.ArgNone, RFC: "RFC 5321 §4.1.1.5",
		Help:   "abandon the current message",
		States: open, Effect: learnRset},
	{Name: "VRFY", Syntax: "<user or mailbox>", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.6",
		Help:   "ask whether a mailbox exists (most servers answer 252: cannot say)",
		States: open},
	{Name: "EXPN", Syntax: "<mailing list>", Arity: proto.ArgRequired, RFC: "RFC 5321 §4.1.1.7",
		Help:   "ask for the members of a mailing list (usually refused)",
		States: open},
	{Name: "HELP", ArgKind: proto.ArgCommand, Syntax: "[command]", Arity: proto.ArgOptional, RFC: "RFC 5321 §4.1.1.8",
		Help:   "ask the server for help",
		States: open},
	{Name: "NOOP", Arity: proto.ArgOptional, RFC: "RFC 5321 §4.1.1.9",
		Help:   "do nothing; check that the server is alive",
		States: open},
	{Name: "QUIT", Arity: proto.ArgNone, RFC: "RFC 5321 §4.1.1.10",
		Help:   "end the session",
		States: anyState, OnOK: proto.StateClosed, Effect: learnQuit},
}

// The pseudo-commands: the greeting, the end of DATA, and SASL answers.
// They have rows of their own so that their transitions are data too.
var (
	greetingCmd = &proto.Command{Name: "(greeting)", RFC: "RFC 5321 §3.1",
		OnOK: Connected, OnFail: Rejected, Effect: learnGreeting}
	endDataCmd = &proto.Command{Name: ".", RFC: "RFC 5321 §4.1.1.4",
		Help: "end of message text", OnOK: Ready, OnFail: Ready,
		Effect: func(m *proto.Session, _ string, _ *proto.Reply) { of(m).recipients = of(m).recipients[:0] }}
	saslCmd = &proto.Command{Name: "(sasl)", RFC: "RFC 4954 §4",
		OnOK: Ready, OnCont: SASL, OnFail: Ready, Effect: learnAuth}
)

func learnGreeting(m *proto.Session, _ string, r *proto.Reply) {
	m.SetGreeting(r.Message())
}

// learnEHLO records the extensions of an EHLO reply (RFC 5321 §4.1.1.1):
// each line after the first is a keyword and its parameters.
func learnEHLO(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	l := of(m)
	l.ext = map[string]string{}
	for _, t := range r.Text[1:] {
		kw, params, _ := strings.Cut(t, " ")
		// Old servers write "AUTH=LOGIN PLAIN" (before RFC 2554's final form).
		if k, v, ok := strings.Cut(kw, "="); ok && strings.EqualFold(k, "AUTH") {
			kw, params = k, strings.TrimSpace(v+" "+params)
		}
		kw = strings.ToUpper(kw)
		if kw == "AUTH" {
			params = mergeWords(l.ext[kw], params)
		}
		if len(l.ext) < proto.MaxReplyLines {
			l.ext[kw] = params
		}
	}
	l.greeted, l.esmtp = true, true
	l.recipients = l.recipients[:0]
}

func learnHELO(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	l := of(m)
	l.ext = map[string]string{}
	l.greeted, l.esmtp = true, false
	l.recipients = l.recipients[:0]
}

func learnAuth(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.LoggedIn()
	}
}

func learnMail(m *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		addr := PathAddress(arg)
		l := of(m)
		l.senders = remember(l.senders, addr)
		l.used = remember(l.used, addr)
		l.recipients = l.recipients[:0]
	}
}

func learnRcpt(m *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		addr := PathAddress(arg)
		l := of(m)
		l.recipients = remember(l.recipients, addr)
		l.used = remember(l.used, addr)
	}
}

// learnBdat ends the transaction after BDAT ... LAST (RFC 3030 §2).
func learnBdat(m *proto.Session, arg string, r *proto.Reply) {
	f := strings.Fields(arg)
	if r.Class() == proto.ClassPositive && len(f) > 1 && strings.EqualFold(f[1], "LAST") {
		m.Go(Ready)
		of(m).recipients = of(m).recipients[:0]
	}
}

// learnRset: RSET returns to the state after EHLO (RFC 5321 §4.1.1.5).
func learnRset(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	if of(m).greeted {
		m.Go(Ready)
	} else {
		m.Go(Connected)
	}
	of(m).recipients = of(m).recipients[:0]
}

// PathAddress extracts the address from a MAIL FROM:<...> or RCPT TO:<...>
// argument; it returns "" for the null reverse-path <>.
func PathAddress(arg string) string {
	_, rest, ok := strings.Cut(arg, ":")
	if !ok {
		rest = arg
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "<") {
		if end := strings.IndexByte(rest, '>'); end > 0 {
			return rest[1:end]
		}
		return strings.TrimPrefix(rest, "<")
	}
	addr, _, _ := strings.Cut(rest, " ")
	return addr
}

// remember appends s to list unless it is empty or already there, keeping
// the list short.
func remember(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return list
		}
	}
	if len(list) >= 64 {
		list = list[1:]
	}
	return append(list, s)
}

// mergeWords adds the words of b not already in a, in order.
func mergeWords(a, b string) string {
	words := strings.Fields(a)
	for _, w := range strings.Fields(b) {
		dup := false
		for _, v := range words {
			dup = dup || strings.EqualFold(v, w)
		}
		if !dup {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// learnQuit records that the server accepted QUIT, so that the close that
// follows is the session's normal end.
func learnQuit(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.QuitAccepted()
	}
}

// mailParams and rcptParams are the parameters (RFC 5321 §4.1.2,
// esmtp-param) MAIL and RCPT may take, each when the server advertised
// its extension.
var (
	mailParams = []proto.Param{
		{Text: "SIZE=", Hint: "declare the message size (RFC 1870)", Needs: "SIZE", Final: true, Limit: true},
		{Text: "BODY=8BITMIME", Hint: "the message has 8-bit text (RFC 6152)", Needs: "8BITMIME"},
		{Text: "BODY=BINARYMIME", Hint: "the message has binary content (RFC 3030)", Needs: "BINARYMIME"},
		{Text: "SMTPUTF8", Hint: "addresses or header are UTF-8 (RFC 6531)", Needs: "SMTPUTF8"},
		{Text: "RET=FULL", Hint: "return the whole message in a bounce (RFC 3461)", Needs: "DSN"},
		{Text: "RET=HDRS", Hint: "return only the header in a bounce (RFC 3461)", Needs: "DSN"},
		{Text: "ENVID=", Hint: "an envelope id for delivery reports (RFC 3461)", Needs: "DSN", Final: true},
		{Text: "AUTH=<>", Hint: "the submitter's identity (RFC 4954 §5)", Needs: "AUTH"},
		{Text: "REQUIRETLS", Hint: "relay only over TLS (RFC 8689)", Needs: "REQUIRETLS"},
	}
	rcptParams = []proto.Param{
		{Text: "NOTIFY=SUCCESS,FAILURE,DELAY", Hint: "ask for delivery reports (RFC 3461)", Needs: "DSN"},
		{Text: "NOTIFY=NEVER", Hint: "no delivery reports (RFC 3461)", Needs: "DSN"},
		{Text: "ORCPT=rfc822;", Hint: "the original recipient (RFC 3461)", Needs: "DSN", Final: true},
	}
)
