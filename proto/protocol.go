package proto

import (
	"fmt"
	"io"
)

// Spec is what the engine knows of one protocol. Everything that differs
// between protocols — the command table, how a greeting is recognised,
// how a reply is read and classed, the TLS upgrade, what the server
// advertises, how to log in — is a field here, so that the engine asks
// the protocol instead of testing which one it is; a protocol whose
// framing is its own (IMAP's tags and literals) brings Hooks. Adding a
// protocol means a package with its Spec (as proto/imap) and one line in
// the registry, package protocols.
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
	// Greets recognises the protocol's greeting, and GreetingLooks says
	// what it looks like ("220").
	Greets        func(line []byte) bool
	GreetingLooks string
	// Greeting and SASLAnswer are the rows for the greeting and for a
	// line answering a SASL challenge, which are not commands; EndText
	// is the row of the line that ends message text (SMTP's ".").
	Greeting, SASLAnswer, EndText *Command
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
	// ExplainWord explains a status or code typed after :explain ("550",
	// "-ERR", "TRYCREATE"), if it is one of the protocol's.
	ExplainWord func(w string) (string, bool)
	// Append adds a message of size octets, read from r, to a mailbox
	// with flags (IMAP's APPEND, RFC 9051 §6.3.12); nil where there is
	// none.
	Append func(c *Client, mailbox string, flags []string, r io.Reader, size int64) (*Reply, error)
	// Words returns the keywords an argument of the kind may be now (IMAP's
	// FETCH items, flags, SEARCH keys), for completion.
	Words func(kind ArgKind, s *Snapshot) []Word
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
	// line as it arrives, and a line sent waits for nothing. The session
	// starts in AfterTLS, with no greeting to wait for.
	Unframed bool
	// Hooks is how a protocol whose framing is its own follows the
	// session; nil for the engine's: one reply per command, in order.
	Hooks *Hooks
	// Tagged means IMAP's framing (RFC 9051 §2.2): commands carry tags,
	// a command is answered by the completion with its tag, untagged data
	// may come at any time, and any line may end in a literal.
	Tagged bool
	// Announces reports whether s is a literal's announcement ("{8}",
	// "{8+}"), where a line may end in one: typed where a secret goes, it
	// is no secret but says that the secret follows as a literal.
	Announces func(s string) bool
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

// Hooks are a protocol's own parts of the engine, for framings other
// than one reply per command in order (IMAP's tags, untagged data and
// literals). The machine's hooks run with the machine locked.
type Hooks struct {
	// NewLearnt makes what the protocol learns of a session (Session's
	// Learnt); after STARTTLS it gets the old one, to keep what survives.
	NewLearnt func(old any) any
	// Classify says what a line is, and Sent records it sent.
	Classify func(s *Session, line string) *Cmd
	Sent     func(s *Session, c *Cmd)
	// Received applies a reply the client waits for.
	Received func(s *Session, r *Reply)
	// Fill adds what the protocol learnt to a snapshot.
	Fill func(s *Session, snap *Snapshot)
	// SplitTag separates a tag typed before a command.
	SplitTag func(line string) (tag, rest string)
	// Read reads a reply that began with first: the one a command waits
	// for, or nil for data the server sent on its own (shown and learnt
	// from as it comes).
	Read func(c *Client, first []byte) (*Reply, error)
}

// SplitTag separates a tag typed at the start of a line from the command,
// in a protocol whose commands carry tags; otherwise it returns the line
// as it is.
func SplitTag(p Protocol, line string) (tag, rest string) {
	if h := p.Spec().Hooks; h != nil && h.SplitTag != nil {
		return h.SplitTag(line)
	}
	return "", line
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

// Spec returns what the engine knows of the protocol; for a protocol not
// known, a reply is read by its code's first digit, as SMTP's and most
// line protocols' are.
func (s *Spec) Spec() *Spec {
	if s == nil {
		return unknownSpec
	}
	return s
}

// unknownSpec reads the replies of a protocol not known.
var unknownSpec = &Spec{
	Name: "unknown", Table: Table{},
	ParseStatus: func(line string) (*Reply, error) { return nil, protoErr([]byte(line), "the protocol is not known") },
	Class:       CodeClass, Label: func(r *Reply) string { return fmt.Sprintf("%03d", r.Code) },
	Explain: func(*Reply) string { return "" }, Temporary: func(r *Reply) bool { return CodeClass(r) == ClassTransient },
	Closes:     func(*Reply, *Cmd) bool { return false },
	Advertised: func(*Snapshot, string) (string, bool) { return "", false },
}

func (s *Spec) String() string {
	if s == nil {
		return "unknown"
	}
	return s.Name
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

// CodeClass reads a reply's class from its code's first digit (RFC 5321
// §4.2.1), as SMTP's and most line protocols' replies say it.
func CodeClass(r *Reply) Class {
	switch r.Code / 100 {
	case 2:
		return ClassPositive
	case 3:
		return ClassIntermediate
	case 4:
		return ClassTransient
	case 5:
		return ClassPermanent
	}
	return ClassUnknown
}
