package proto

// State is where a session stands in its protocol. Each protocol declares
// its own states with NewState; the engine's own are StateGreeting and
// StateClosed. What the shell, the completer and the transcript need to
// know of a state — its name, whether the lines typed there are message
// text, SASL answers or a literal's octets — is in the state itself, so
// that they treat every protocol alike.
//
// Same (nil) is not a state: in a command's transition table it means
// "stay where you are".
type State = *StateInfo

// StateInfo describes a state; see State.
type StateInfo struct {
	name, describe string
	kind           StateKind
}

// StateKind says what the lines typed in a state are.
type StateKind int

// State kinds.
const (
	// Commands: the lines typed are commands.
	Commands StateKind = iota
	// Text: message text, up to the protocol's end of text (SMTP's DATA,
	// up to a lone ".").
	Text
	// SASLAnswer: the server waits for a SASL answer (RFC 4954 §4): the
	// next line is a secret, or "*" to cancel.
	SASLAnswer
	// Literal: the octets of a literal (IMAP, RFC 9051 §4.3), sent as
	// they are until the count runs out.
	Literal
	// Idle: the server sends updates until the protocol's IdleEnd line
	// (IMAP's IDLE, RFC 2177).
	Idle
	// Transaction: commands, inside a mail transaction.
	Transaction
)

// NewState declares a state: short is its name in the prompt, describe a
// sentence saying where the session stands.
func NewState(short, describe string, kind StateKind) State {
	return &StateInfo{name: short, describe: describe, kind: kind}
}

// Same means "no change" in a command's transitions.
var Same State

// The engine's states.
var (
	// StateGreeting waits for the server's greeting.
	StateGreeting = NewState("greeting", "waiting for the server's greeting", Commands)
	// StateClosed: the session is over.
	StateClosed = NewState("closed", "the session is closed", Commands)
)

// String returns the state's short name, as the shell's prompt shows it.
func (s *StateInfo) String() string {
	if s == nil {
		return "?"
	}
	return s.name
}

// Describe says in a sentence where the session stands.
func (s *StateInfo) Describe() string {
	if s == nil {
		return "unknown state"
	}
	return s.describe
}

func (s *StateInfo) is(k StateKind) bool { return s != nil && s.kind == k }

// InTransaction reports whether a mail transaction is open (SMTP's MAIL,
// RCPT, DATA and BDAT states).
func (s *StateInfo) InTransaction() bool { return s.is(Transaction) || s.is(Text) }

// TakesText reports whether the lines typed now are message text, not
// commands: SMTP's DATA (RFC 5321 §4.1.1.4), up to the lone ".".
func (s *StateInfo) TakesText() bool { return s.is(Text) }

// InSASL reports whether the server waits for a SASL answer (RFC 4954 §4,
// RFC 5034 §4, RFC 9051 §6.2.2): the next line is a secret, or "*" to
// cancel.
func (s *StateInfo) InSASL() bool { return s.is(SASLAnswer) }

// Idles reports whether the session waits for updates from the server
// (IMAP's IDLE, RFC 2177) until the protocol's IdleEnd line.
func (s *StateInfo) Idles() bool { return s.is(Idle) }

// InLiteral reports whether the lines typed now are the octets of an IMAP
// literal (RFC 9051 §4.3): sent as they are, never trimmed or completed.
func (s *StateInfo) InLiteral() bool { return s.is(Literal) }

// Verbatim reports whether a line typed now goes to the server as it is:
// message text or a literal's octets, where TAB is a character and blanks
// count.
func (s *StateInfo) Verbatim() bool { return s.TakesText() || s.InLiteral() }
