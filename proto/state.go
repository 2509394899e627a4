package proto

// State is where a session stands in its protocol. SMTP and POP3 states
// share the type so that the shell, the completer and the transcript can
// treat both protocols alike.
type State int

// States. Same is not a state: in a command's transition table it means
// "stay where you are".
const (
	Same State = iota
	// StateGreeting waits for the server's greeting.
	StateGreeting

	// SMTPConnected: greeted with 220; EHLO or HELO comes next (RFC 5321 §4.1.4).
	SMTPConnected
	// SMTPRejected: greeted with 554; only QUIT is useful (RFC 5321 §3.1).
	SMTPRejected
	// SMTPReady: after EHLO/HELO or a finished transaction; MAIL may start one.
	SMTPReady
	// SMTPMail: MAIL accepted; RCPT comes next.
	SMTPMail
	// SMTPRcpt: at least one RCPT accepted; more RCPT, DATA or BDAT.
	SMTPRcpt
	// SMTPData: after 354; the message is being sent, up to a lone ".".
	SMTPData
	// SMTPBdat: in a sequence of BDAT chunks, before the LAST one (RFC 3030).
	SMTPBdat
	// SMTPAuth: in a SASL exchange; the next line is a response (RFC 4954).
	SMTPAuth

	// POP3Authorization: the AUTHORIZATION state of RFC 1939 §3.
	POP3Authorization
	// POP3User: USER accepted; PASS comes next (RFC 1939 §7).
	POP3User
	// POP3Auth: in a SASL exchange (RFC 5034).
	POP3Auth
	// POP3Transaction: the TRANSACTION state of RFC 1939 §5.
	POP3Transaction

	// RawOpen: raw line mode, where nothing is framed: every line may be
	// sent, and lines from the server are shown as they arrive.
	RawOpen

	// IMAPNotAuth: the Not Authenticated state of RFC 9051 §3.1.
	IMAPNotAuth
	// IMAPAuth: the Authenticated state (RFC 9051 §3.2): a mailbox may be
	// selected.
	IMAPAuth
	// IMAPSelected: a mailbox is selected (RFC 9051 §3.3).
	IMAPSelected
	// IMAPSASL: in an AUTHENTICATE exchange (RFC 9051 §6.2.2).
	IMAPSASL
	// IMAPIdle: IDLE accepted; updates arrive until DONE (RFC 2177).
	IMAPIdle
	// IMAPLiteral: the server is ready for a literal's octets (RFC 9051
	// §4.3): what is typed goes as it is until the count runs out.
	IMAPLiteral

	// StateClosed: the session is over.
	StateClosed
)

var stateNames = map[State][2]string{
	StateGreeting:     {"greeting", "waiting for the server's greeting"},
	SMTPConnected:     {"helo", "connected; introduce yourself with EHLO or HELO"},
	SMTPRejected:      {"rejected", "the server refused the session (554); send QUIT"},
	SMTPReady:         {"mail", "ready for a new message: MAIL FROM:<address>"},
	SMTPMail:          {"rcpt", "sender accepted; add recipients with RCPT TO:<address>"},
	SMTPRcpt:          {"rcpt/data", "recipients accepted; add more, or send the message with DATA"},
	SMTPData:          {"data", "sending the message; end it with a line holding only \".\""},
	SMTPBdat:          {"bdat", "sending the message in BDAT chunks; finish with BDAT n LAST"},
	SMTPAuth:          {"auth", "authenticating; answer the server's challenge (\"*\" cancels)"},
	POP3Authorization: {"auth", "AUTHORIZATION: log in with USER/PASS, APOP or AUTH"},
	POP3User:          {"pass", "user name accepted; send PASS"},
	POP3Auth:          {"sasl", "authenticating; answer the server's challenge (\"*\" cancels)"},
	POP3Transaction:   {"trans", "TRANSACTION: STAT, LIST, RETR, DELE, …; QUIT applies deletions"},
	RawOpen:           {"raw", "raw line mode: each line goes out with CRLF; what arrives is shown as it comes"},
	IMAPNotAuth:       {"login", "not authenticated: LOGIN or AUTHENTICATE (STARTTLS first on a network)"},
	IMAPAuth:          {"auth", "authenticated: SELECT a mailbox, or LIST, CREATE, STATUS, APPEND, …"},
	IMAPSelected:      {"selected", "a mailbox is selected: FETCH, SEARCH, STORE, COPY, EXPUNGE, …; CLOSE leaves it"},
	IMAPSASL:          {"sasl", "authenticating; answer the server's challenge (\"*\" cancels)"},
	IMAPIdle:          {"idle", "idling: updates appear as they come; DONE (or Ctrl-C) ends it"},
	IMAPLiteral:       {"literal", "sending a literal: what you type goes as it is, each line with CRLF, until its octets are counted out"},
	StateClosed:       {"closed", "the session is closed"},
}

// String returns the state's short name, as the shell's prompt shows it.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n[0]
	}
	return "?"
}

// Describe says in a sentence where the session stands.
func (s State) Describe() string {
	if n, ok := stateNames[s]; ok {
		return n[1]
	}
	return "unknown state"
}

// InTransaction reports whether an SMTP mail transaction is open.
func (s State) InTransaction() bool {
	return s == SMTPMail || s == SMTPRcpt || s == SMTPData || s == SMTPBdat
}

// TakesText reports whether the lines typed now are message text, not
// commands: SMTP's DATA (RFC 5321 §4.1.1.4), up to the lone ".".
func (s State) TakesText() bool { return s == SMTPData }

// InSASL reports whether the server waits for a SASL answer (RFC 4954 §4,
// RFC 5034 §4): the next line is a secret, or "*" to cancel.
func (s State) InSASL() bool { return s == SMTPAuth || s == POP3Auth || s == IMAPSASL }

// Idles reports whether the session waits for updates from the server
// (IMAP's IDLE, RFC 2177) until the protocol's IdleEnd line.
func (s State) Idles() bool { return s == IMAPIdle }

// InLiteral reports whether the lines typed now are the octets of an IMAP
// literal (RFC 9051 §4.3): sent as they are, never trimmed or completed.
func (s State) InLiteral() bool { return s == IMAPLiteral }

// Verbatim reports whether a line typed now goes to the server as it is:
// message text or a literal's octets, where TAB is a character and blanks
// count.
func (s State) Verbatim() bool { return s.TakesText() || s.InLiteral() }
