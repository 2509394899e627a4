package proto

import (
	"strings"
)

// smtpOpen are the states in which a session is open and greeted.
var smtpOpen = states(SMTPConnected, SMTPReady, SMTPMail, SMTPRcpt, SMTPBdat)

// smtpAny adds the rejected state, where RFC 5321 §3.1 still expects QUIT.
var smtpAny = states(SMTPConnected, SMTPRejected, SMTPReady, SMTPMail, SMTPRcpt, SMTPBdat)

// SMTPCommands is the SMTP command table (RFC 5321 §4.1 and extensions).
var SMTPCommands = Table{
	{Name: "EHLO", ArgKind: ArgHostname, Syntax: "<domain>", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.1",
		Help:   "introduce yourself and ask which extensions the server offers",
		States: states(SMTPConnected, SMTPReady, SMTPMail, SMTPRcpt),
		OnOK:   SMTPReady, Effect: learnEHLO},
	{Name: "HELO", ArgKind: ArgHostname, Syntax: "<domain>", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.1",
		Help:   "introduce yourself, old style (no extensions)",
		States: states(SMTPConnected, SMTPReady, SMTPMail, SMTPRcpt),
		OnOK:   SMTPReady, Effect: learnHELO},
	{Name: "STARTTLS", Arity: ArgNone, RFC: "RFC 3207 §4", Ext: "STARTTLS",
		Help:   "switch the connection to TLS; EHLO again afterwards",
		States: states(SMTPConnected, SMTPReady),
		Offer:  func(s *Snapshot) bool { return !s.TLS }},
	{Name: "AUTH", ArgKind: ArgMechanism, Syntax: "<mechanism> [initial-response]", Arity: ArgRequired, RFC: "RFC 4954 §4", Ext: "AUTH",
		Help:   "log in with a SASL mechanism the server lists",
		States: states(SMTPReady),
		Offer:  func(s *Snapshot) bool { return !s.Authenticated },
		Secret: redactAuth, SecretAfter: 1,
		OnCont: SMTPAuth, Effect: learnAuth},
	{Name: "MAIL", ArgKind: ArgPath, Syntax: "FROM:<reverse-path> [parameters]", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.2",
		Help:   "start a message: give the envelope sender",
		States: states(SMTPReady),
		OnOK:   SMTPMail, Effect: learnMail},
	{Name: "RCPT", ArgKind: ArgPath, Syntax: "TO:<forward-path> [parameters]", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.3",
		Help:   "add an envelope recipient",
		States: states(SMTPMail, SMTPRcpt),
		OnOK:   SMTPRcpt, Effect: learnRcpt},
	{Name: "DATA", Arity: ArgNone, RFC: "RFC 5321 §4.1.1.4",
		Help:   "send the message text, ended by a line holding only \".\"",
		States: states(SMTPRcpt),
		OnCont: SMTPData},
	{Name: "BDAT", ArgKind: ArgChunk, Syntax: "<chunk-size> [LAST]", Arity: ArgRequired, RFC: "RFC 3030 §2", Ext: "CHUNKING",
		Help:   "send the message in chunks of an exact size, the last marked LAST",
		States: states(SMTPRcpt, SMTPBdat),
		OnOK:   SMTPBdat, OnFail: SMTPReady, Effect: learnBdat},
	{Name: "RSET", Arity: ArgNone, RFC: "RFC 5321 §4.1.1.5",
		Help:   "abandon the current message",
		States: smtpOpen, Effect: learnRset},
	{Name: "VRFY", Syntax: "<user or mailbox>", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.6",
		Help:   "ask whether a mailbox exists (most servers answer 252: cannot say)",
		States: smtpOpen},
	{Name: "EXPN", Syntax: "<mailing list>", Arity: ArgRequired, RFC: "RFC 5321 §4.1.1.7",
		Help:   "ask for the members of a mailing list (usually refused)",
		States: smtpOpen},
	{Name: "HELP", ArgKind: ArgCommand, Syntax: "[command]", Arity: ArgOptional, RFC: "RFC 5321 §4.1.1.8",
		Help:   "ask the server for help",
		States: smtpOpen},
	{Name: "NOOP", Arity: ArgOptional, RFC: "RFC 5321 §4.1.1.9",
		Help:   "do nothing; check that the server is alive",
		States: smtpOpen},
	{Name: "QUIT", Arity: ArgNone, RFC: "RFC 5321 §4.1.1.10",
		Help:   "end the session",
		States: smtpAny, OnOK: StateClosed, Effect: learnQuit},
}

// The pseudo-commands: the greeting, the end of DATA, and SASL answers.
// They have rows of their own so that their transitions are data too.
var (
	smtpGreetingCmd = &Command{Name: "(greeting)", RFC: "RFC 5321 §3.1",
		OnOK: SMTPConnected, OnFail: SMTPRejected, Effect: learnGreeting}
	endDataCmd = &Command{Name: ".", RFC: "RFC 5321 §4.1.1.4",
		Help: "end of message text", OnOK: SMTPReady, OnFail: SMTPReady,
		Effect: func(m *Session, _ string, _ *Reply) { m.recipients = m.recipients[:0] }}
	smtpSASLCmd = &Command{Name: "(sasl)", RFC: "RFC 4954 §4",
		OnOK: SMTPReady, OnCont: SMTPAuth, OnFail: SMTPReady, Effect: learnAuth}
)

func learnGreeting(m *Session, _ string, r *Reply) {
	m.greeting = r.Message()
}

// learnEHLO records the extensions of an EHLO reply (RFC 5321 §4.1.1.1):
// each line after the first is a keyword and its parameters.
func learnEHLO(m *Session, _ string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	m.ext = map[string]string{}
	for _, t := range r.Text[1:] {
		kw, params, _ := strings.Cut(t, " ")
		// Old servers write "AUTH=LOGIN PLAIN" (before RFC 2554's final form).
		if k, v, ok := strings.Cut(kw, "="); ok && strings.EqualFold(k, "AUTH") {
			kw, params = k, strings.TrimSpace(v+" "+params)
		}
		kw = strings.ToUpper(kw)
		if kw == "AUTH" {
			params = mergeWords(m.ext[kw], params)
		}
		if len(m.ext) < MaxReplyLines {
			m.ext[kw] = params
		}
	}
	m.greeted, m.esmtp = true, true
	m.recipients = m.recipients[:0]
}

func learnHELO(m *Session, _ string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	m.ext = map[string]string{}
	m.greeted, m.esmtp = true, false
	m.recipients = m.recipients[:0]
}

func learnAuth(m *Session, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.authed = true
	}
}

func learnMail(m *Session, arg string, r *Reply) {
	if r.Class() == ClassPositive {
		addr := PathAddress(arg)
		m.senders = remember(m.senders, addr)
		m.used = remember(m.used, addr)
		m.recipients = m.recipients[:0]
	}
}

func learnRcpt(m *Session, arg string, r *Reply) {
	if r.Class() == ClassPositive {
		addr := PathAddress(arg)
		m.recipients = remember(m.recipients, addr)
		m.used = remember(m.used, addr)
	}
}

// learnBdat ends the transaction after BDAT ... LAST (RFC 3030 §2).
func learnBdat(m *Session, arg string, r *Reply) {
	f := strings.Fields(arg)
	if r.Class() == ClassPositive && len(f) > 1 && strings.EqualFold(f[1], "LAST") {
		m.state = SMTPReady
		m.recipients = m.recipients[:0]
	}
}

// learnRset: RSET returns to the state after EHLO (RFC 5321 §4.1.1.5).
func learnRset(m *Session, _ string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	if m.greeted {
		m.state = SMTPReady
	} else {
		m.state = SMTPConnected
	}
	m.recipients = m.recipients[:0]
}

// redactAuth hides an AUTH command's initial response (RFC 4954 §4). For
// PLAIN it keeps the user name, which is no secret, so that a transcript
// says who logged in and a replay knows whom to log in as.
func redactAuth(arg string) string {
	mech, ir, ok := strings.Cut(arg, " ")
	ir = strings.TrimSpace(ir)
	if !ok || ir == "" || ir == "=" {
		return ""
	}
	if strings.EqualFold(mech, "PLAIN") {
		if b, err := UnB64(ir); err == nil {
			if f := strings.Split(string(b), "\x00"); len(f) == 3 && f[1] != "" && !strings.ContainsAny(f[1], " \r\n[]") {
				return "AUTH " + mech + " [redacted user=" + f[1] + "]"
			}
		}
	}
	return "AUTH " + mech + " [redacted]"
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
func learnQuit(m *Session, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.quit = true
	}
}
