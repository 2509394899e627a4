package proto

import "strings"

// Spec is what the engine knows of one protocol. Everything that differs
// between SMTP and POP3 — the command table, how a greeting is recognised,
// how a reply is read and classed, the TLS upgrade, what the server
// advertises — is a field here, so that the engine asks the protocol
// instead of testing which one it is. Adding a protocol means a Spec and
// one line in specs.
type Spec struct {
	// Name is the protocol's name in prompts and transcripts: "smtp".
	Name string
	// Table is the command table that drives the state machine, the
	// completer, :help and the built-in server.
	Table Table
	// Schemes are the URL schemes of the protocol, with their ports and
	// TLS; Scheme and SchemeTLS name a target in a URL.
	Schemes           map[string]Scheme
	Scheme, SchemeTLS string
	// Greets recognises the protocol's greeting.
	Greets func(line []byte) bool
	// Greeting and SASLAnswer are the rows for the greeting and for a
	// line answering a SASL challenge, which are not commands.
	Greeting, SASLAnswer *Command
	// StartTLS is the verb that upgrades to TLS, and AfterTLS the state
	// the session is in once upgraded (RFC 3207 §4.2, RFC 2595 §4).
	StartTLS string
	AfterTLS State
	// ParseStatus reads the status of a reply from its first line (the
	// reply's Proto is set by the caller).
	ParseStatus func(line string) (*Reply, error)
	// Continues, if set, adds a line to a reply and says whether more
	// lines follow (SMTP's multi-line replies); without it a reply is
	// one line.
	Continues func(r *Reply, line []byte) (more bool, err error)
	// Class, Label, Explain and Temporary read a reply: what it announces,
	// its short name ("250", "+OK", "NO [TRYCREATE]"), what it means in
	// words, and whether a failure may pass if tried again.
	Class     func(r *Reply) Class
	Label     func(r *Reply) string
	Explain   func(r *Reply) string
	Temporary func(r *Reply) bool
	// Hello is the command that must come before the TLS upgrade, if
	// the session has not sent it (SMTP's EHLO, RFC 3207 §4).
	Hello string
	// Closes reports whether a reply to c ends the session whatever c was
	// (SMTP's 421 at any time, RFC 5321 §3.8).
	Closes func(r *Reply, c *Cmd) bool
	// Advertised returns the value of an extension the server announced,
	// and whether it did; Mechanisms names the extension that lists the
	// SASL mechanisms.
	Advertised func(s *Snapshot, ext string) (string, bool)
	Mechanisms string
	// Unframed means no replies: what the server sends is shown line by
	// line as it arrives, and a line sent waits for nothing.
	Unframed bool
	// Tagged means IMAP's framing (RFC 9051 §2.2): commands carry tags,
	// a command is answered by the completion with its tag, untagged data
	// may come at any time, and any line may end in a literal.
	Tagged bool
	// Quit is the verb that ends the session politely.
	Quit string
	// Auth is the verb that starts a SASL exchange; InitialResponse
	// says whether the exchange may start with the client's first
	// message (RFC 4954 §4 and RFC 5034 §4 always; IMAP with SASL-IR,
	// RFC 4959).
	Auth            string
	InitialResponse func(s *Snapshot) bool
	// Login says how :auth logs in.
	Login *Login
	// Report says what the session has learnt, line by line, for :state.
	Report func(s *Snapshot) []string
	// Retrieve is the command that fetches message n whole, for :show N;
	// nil where there is none.
	Retrieve func(n string) string
	// Quote writes a mailbox name or a string as the protocol needs it
	// in a command (IMAP's quoted strings); nil: as it is.
	Quote func(string) string
	// IdleEnd is the line that ends an idle wait for updates (IMAP's
	// DONE), sent for Ctrl-C and before the session ends.
	IdleEnd string
	// Mail says how a message is sent, for :compose and :data: the
	// envelope's commands, the state they start from, the command that
	// opens the text and the one that resets a transaction. Nil where
	// the protocol sends no mail.
	Mail *Mail
}

// Mail is how a protocol sends a message: SMTP's transaction.
type Mail struct {
	// Envelope returns the commands that name the sender and recipients.
	Envelope func(from string, rcpts []string) []string
	// Ready is the state a transaction starts from; Data the command
	// that opens the text, valid after an accepted recipient; Reset the
	// command that abandons a transaction.
	Ready       State
	Data, Reset string
	// NotReady says where a transaction starts, and Recipient what
	// comes before the text, for the refusals.
	NotReady, Recipient string
	// Chunks is the command that sends the text in chunks (BDAT), and
	// the extension it needs.
	Chunks, ChunksExt string
}

// Scheme is what a URL scheme says besides its protocol: the default
// port and how TLS starts.
type Scheme struct {
	Port        int
	ImplicitTLS bool
	StartTLS    bool
}

// Protocol names the protocol a session speaks: its Spec. Nil means not
// known yet (to be taken from the greeting).
type Protocol = *Spec

// The protocols the engine speaks.
var (
	SMTP Protocol = smtpSpec
	POP3 Protocol = pop3Spec
	// RAW is raw line mode: lines go out with CRLF, and whatever arrives
	// is shown as it comes (an HTTP, LMTP or ManageSieve server, or any
	// greeting mailsh does not know).
	RAW Protocol = rawSpec
	// IMAP is IMAP4 (RFC 9051, RFC 3501): tagged commands, untagged data
	// and literals.
	IMAP Protocol = imapSpec
)

// specs are the protocols the engine speaks, in the order greetings are
// tried.
var specs = []*Spec{smtpSpec, pop3Spec, imapSpec, rawSpec}

// Spec returns what the engine knows of the protocol; for a protocol not
// known, replies are read as SMTP's, the protocol of a telnet session to
// port 25.
func (s *Spec) Spec() *Spec {
	if s == nil {
		return unknownSpec
	}
	return s
}

// unknownSpec reads the replies of a protocol not known.
var unknownSpec = &Spec{
	Name: "unknown", Table: Table{}, ParseStatus: parseSMTPStatus,
	Class: smtpClass, Label: smtpLabel, Explain: explainSMTP, Temporary: smtpTemporary,
	Closes:     func(*Reply, *Cmd) bool { return false },
	Advertised: func(*Snapshot, string) (string, bool) { return "", false },
}

func (s *Spec) String() string {
	if s == nil {
		return "unknown"
	}
	return s.Name
}

// ProtocolOf recognises a protocol from the first line a server sends:
// three digits are SMTP (RFC 5321 §4.2), "+OK" or "-ERR" POP3 (RFC 1939
// §4), "* OK", "* PREAUTH" or "* BYE" IMAP (RFC 9051 §7.1). It returns 0
// for anything else.
func ProtocolOf(greeting []byte) Protocol {
	for _, sp := range specs {
		if sp.Greets != nil && sp.Greets(greeting) {
			return sp
		}
	}
	return nil
}

// ParseStatusLine reads the status of a reply from one line: a POP3
// status line, or an SMTP reply line with its enhanced code (RFC 3463).
func ParseStatusLine(p Protocol, line string) (*Reply, error) {
	r, err := p.Spec().ParseStatus(line)
	if r != nil {
		r.Proto = p
	}
	return r, err
}

// TableFor returns the command table of a protocol.
func TableFor(p Protocol) Table { return p.Spec().Table }

var smtpSpec = &Spec{
	Name:  "smtp",
	Table: SMTPCommands,
	// RFC 5321 §4.5.4.2 (25), RFC 8314 (465), RFC 6409 (587).
	Schemes: map[string]Scheme{
		"smtp":       {Port: 25},
		"smtps":      {Port: 465, ImplicitTLS: true},
		"submission": {Port: 587, StartTLS: true},
	},
	Scheme: "smtp", SchemeTLS: "smtps",
	Greets: func(line []byte) bool {
		return len(line) >= 3 && line[0] >= '0' && line[0] <= '9'
	},
	Greeting: smtpGreetingCmd, SASLAnswer: smtpSASLCmd,
	StartTLS: "STARTTLS", AfterTLS: SMTPConnected,
	ParseStatus: parseSMTPStatus,
	Continues:   (*Reply).addSMTPLine,
	Class:       smtpClass, Label: smtpLabel, Explain: explainSMTP, Temporary: smtpTemporary,
	Hello: "EHLO",
	// RFC 5321 §3.8: 421 may come at any time and ends the session. 221
	// is "closing the transmission channel" (§4.2.2) whatever it answers:
	// Postfix gives it to a command it takes for an attack ("221 2.7.0
	// Error: I can break rules, too. Goodbye.").
	Closes: func(r *Reply, c *Cmd) bool {
		return r.Code == 421 || r.Code == 221 && (c == nil || c.Spec == nil || c.Spec.Name != "QUIT")
	},
	Advertised: func(s *Snapshot, ext string) (string, bool) {
		v, ok := s.Ext[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "AUTH",
	Quit:       "QUIT",
	Auth:       "AUTH", InitialResponse: func(*Snapshot) bool { return true },
	Login: &Login{States: states(SMTPReady), NeedMechanisms: true,
		Where: "AUTH is sent after EHLO and outside a transaction"},
	Report: smtpReport,
	Mail: &Mail{
		Envelope: func(from string, rcpts []string) []string {
			lines := []string{"MAIL FROM:<" + from + ">"}
			for _, r := range rcpts {
				lines = append(lines, "RCPT TO:<"+r+">")
			}
			return lines
		},
		Ready: SMTPReady, Data: "DATA", Reset: "RSET", Chunks: "BDAT", ChunksExt: "CHUNKING",
		NotReady: `needs the "mail" state after EHLO or HELO`, Recipient: "an accepted RCPT",
	},
}

var pop3Spec = &Spec{
	Name:  "pop3",
	Table: POP3Commands,
	// RFC 1939 (110), RFC 8314 (995).
	Schemes: map[string]Scheme{
		"pop3":  {Port: 110},
		"pop":   {Port: 110},
		"pop3s": {Port: 995, ImplicitTLS: true},
		"pops":  {Port: 995, ImplicitTLS: true},
	},
	Scheme: "pop3", SchemeTLS: "pop3s",
	Greets: func(line []byte) bool {
		return hasPrefixFold(string(line), "+OK") || hasPrefixFold(string(line), "-ERR")
	},
	Greeting: pop3GreetingCmd, SASLAnswer: pop3SASLCmd,
	StartTLS: "STLS", AfterTLS: POP3Authorization,
	ParseStatus: func(line string) (*Reply, error) { return parsePOP3Status([]byte(line)) },
	Class:       pop3Class, Label: func(r *Reply) string { return r.Status }, Explain: explainPOP3, Temporary: pop3Temporary,
	Closes: func(*Reply, *Cmd) bool { return false },
	// RFC 2449 §5: CAPA is optional; a server that never answered it is
	// taken to support everything.
	Advertised: func(s *Snapshot, ext string) (string, bool) {
		if !s.CapaKnown {
			return "", true
		}
		v, ok := s.Capa[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "SASL",
	Quit:       "QUIT",
	Auth:       "AUTH", InitialResponse: func(*Snapshot) bool { return true },
	Login: &Login{States: states(POP3Authorization), Where: "log in from the AUTHORIZATION state",
		Plain: "USER", PreferPlain: true, Digest: "APOP",
		Methods: []LoginMethod{
			{Name: "USER", Help: "USER and PASS (RFC 1939)"},
			{Name: "APOP", Help: "MD5 digest of the greeting's timestamp and the password", Offer: func(s *Snapshot) bool { return s.APOPStamp != "" }},
		}},
	Report:   pop3Report,
	Retrieve: func(n string) string { return "RETR " + n },
}

var imapSpec = &Spec{
	Name:  "imap",
	Table: IMAPCommands,
	// RFC 9051 (143), RFC 8314 (993).
	Schemes: map[string]Scheme{
		"imap":  {Port: 143},
		"imaps": {Port: 993, ImplicitTLS: true},
	},
	Scheme: "imap", SchemeTLS: "imaps",
	Greets: func(line []byte) bool {
		s := string(line)
		return hasPrefixFold(s, "* OK") || hasPrefixFold(s, "* PREAUTH") || hasPrefixFold(s, "* BYE")
	},
	Greeting: imapGreetingCmd,
	StartTLS: "STARTTLS", AfterTLS: IMAPNotAuth,
	ParseStatus: func(line string) (*Reply, error) { return parseIMAPStatus([]byte(line)) },
	Class:       func(r *Reply) Class { return imapClass(r.Status) }, Label: imapLabel, Explain: explainIMAP, Temporary: imapTemporary,
	Closes: func(*Reply, *Cmd) bool { return false },
	// RFC 9051 §6.1.1: the capabilities are listed in the greeting or
	// on request; until then assume nothing is missing.
	Advertised: func(s *Snapshot, ext string) (string, bool) {
		if !s.CapaKnown {
			return "", true
		}
		v, ok := s.Capa[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "AUTH",
	Tagged:     true,
	Quit:       "LOGOUT",
	Login: &Login{States: states(IMAPNotAuth), Where: "log in from the not-authenticated state",
		Plain:   "LOGIN",
		Methods: []LoginMethod{{Name: "LOGIN", Help: "IMAP's LOGIN command, or the SASL mechanism if advertised"}}},
	Report:   imapReport,
	Retrieve: func(n string) string { return "FETCH " + n + " BODY.PEEK[]" },
	Quote:    IMAPQuote,
	IdleEnd:  "DONE",
	Auth:     "AUTHENTICATE",
	InitialResponse: func(s *Snapshot) bool {
		_, ok := s.Capa["SASL-IR"]
		return ok
	},
}

// rawOpenCmd stands for the connection's start in raw line mode.
var rawOpenCmd = &Command{Name: "(open)", OnOK: RawOpen, OnCont: RawOpen, OnFail: RawOpen}

var rawSpec = &Spec{
	Name:  "raw",
	Table: Table{},
	// Any port: raw://HOST:PORT, rawtls://HOST:PORT (TLS from the start).
	Schemes: map[string]Scheme{
		"raw":    {},
		"rawtls": {ImplicitTLS: true},
	},
	Scheme: "raw", SchemeTLS: "rawtls",
	// No greeting is recognised as raw: it is what is left.
	Greeting: rawOpenCmd, SASLAnswer: rawOpenCmd,
	AfterTLS:    RawOpen,
	ParseStatus: func(line string) (*Reply, error) { return nil, protoErr([]byte(line), "raw line mode has no replies") },
	Class:       func(*Reply) Class { return ClassUnknown }, Label: func(r *Reply) string { return "" },
	Explain: func(*Reply) string { return "" }, Temporary: func(*Reply) bool { return false },
	Closes:     func(*Reply, *Cmd) bool { return false },
	Advertised: func(*Snapshot, string) (string, bool) { return "", false },
	Unframed:   true,
}
