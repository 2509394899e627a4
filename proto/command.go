package proto

import (
	"strings"
)

// Arity says whether a command takes an argument.
type Arity int

// Arities.
const (
	ArgNone     Arity = iota // no argument
	ArgOptional              // an optional argument
	ArgRequired              // a required argument
)

// ArgKind says what a command's argument is, so that completion can offer
// it without knowing the command: a host name, a SASL mechanism the server
// listed, a command name, an SMTP path with its parameters, a BDAT chunk, a
// message number.
type ArgKind int

// Argument kinds.
const (
	ArgText         ArgKind = iota // nothing to offer
	ArgHostname                    // EHLO, HELO: this host's name
	ArgMechanism                   // AUTH: a mechanism the server advertised
	ArgCommand                     // HELP: a command of the protocol
	ArgPath                        // a keyword and a path in angle brackets (FROM:<…>), then Params
	ArgChunk                       // BDAT size [LAST]
	ArgMessage                     // a message number that exists (RETR, DELE, LIST, UIDL)
	ArgMessageLines                // a message number, then a count of lines (TOP)

	// IMAP's arguments, given by position in Command.Args.
	ArgMailbox     // a mailbox the server listed
	ArgReference   // LIST's reference name: "" for the top
	ArgPattern     // LIST's pattern: "*", "%", or a mailbox
	ArgSequence    // a sequence set of messages that exist: 1, 2:4, 1:*
	ArgFetchItem   // FETCH data items and macros
	ArgStoreOp     // FLAGS, +FLAGS, -FLAGS and their .SILENT forms
	ArgFlags       // a parenthesised list of flags
	ArgSearchKey   // SEARCH keys, any number of them
	ArgStatusItems // STATUS data items
	ArgCapability  // a capability ENABLE may turn on
	ArgSubcommand  // the command UID prefixes
	ArgListReturn  // LIST's RETURN options (RFC 5258, RFC 6154, RFC 5819)
)

// Command describes one protocol command. The tables of commands (one per
// protocol) drive the state machine, the completer, :help, and the
// loopback server's dispatcher, so that there is one list to keep right.
type Command struct {
	// Name is the verb in upper case.
	Name string
	// Syntax is the argument syntax after the verb, for help and hints.
	Syntax string
	Arity  Arity
	// ArgKind says what the argument is, for completion.
	ArgKind ArgKind
	// Args says what each argument is, by position, when there are
	// several of different kinds (IMAP); the last kind repeats where
	// more may come (SEARCH keys, FETCH items).
	Args []ArgKind
	// Params are the parameters that may follow the argument, for
	// completion: each offered when the server advertised what it needs.
	Params []Param
	// NullPath, where the argument is a path that may be empty ("<>"),
	// is the hint that says what the empty one means.
	NullPath string
	// Help is one line saying what the command does.
	Help string
	// RFC names the section that defines the command.
	RFC string
	// States are the states in which the command is valid.
	States []State
	// Ext is the EHLO keyword or CAPA tag that must be advertised for the
	// command to be offered; empty for base commands. For POP3, whose
	// servers need not support CAPA, it applies only once CAPA was seen.
	Ext string
	// Offer, if set, is a further condition for offering the command.
	Offer func(m *Snapshot) bool
	// Multi reports whether a positive reply to the command with the given
	// argument is followed by a POP3 multi-line body (RFC 1939 §3).
	Multi func(arg string) bool
	// Retrieves means the body of a positive reply is a message (RETR,
	// TOP), which the shell keeps for :show and :mime.
	Retrieves bool
	// Secret, if set, returns the line to show in place of a line that
	// carries a secret, such as "PASS [redacted]".
	Secret func(arg string) string
	// SecretAfter is how many words of the argument come before its
	// secret and may be shown while the line is typed: AUTH's mechanism
	// and APOP's user name (1), none for PASS (0).
	SecretAfter int
	// AskSecret, if set, is the prompt for a secret that the command was
	// typed without, as the lecture types PASS on a line of its own
	// (RFC 1939 §7); the secret is read without echo.
	AskSecret string
	// SecretForm, if set, writes the secret read that way as the
	// protocol needs it: IMAP quotes a password with a space in it.
	SecretForm func(string) string
	// OnOK, OnCont and OnFail are the states that a positive,
	// intermediate or failure reply leads to; Same means no change.
	OnOK, OnCont, OnFail State
	// Effect, if set, updates what the machine has learnt from a reply,
	// after the state transition.
	Effect func(m *Session, arg string, r *Reply)
	// Body, if set, learns from each line of a POP3 multi-line body.
	Body func(m *Session, arg string, line []byte)
}

// Param is a parameter a command may take after its argument.
type Param struct {
	// Text is what completion inserts; Hint says what it asks for.
	Text, Hint string
	// Needs is the keyword the server must advertise for the parameter.
	Needs string
	// Final: a value is still to be typed after Text.
	Final bool
	// Limit: the value Needs was advertised with is the server's limit
	// in octets (0 or none for no limit), which the hint adds.
	Limit bool
}

// ValidIn reports whether the command is valid in state s.
func (c *Command) ValidIn(s State) bool {
	for _, st := range c.States {
		if st == s {
			return true
		}
	}
	return false
}

// TakesMechanism reports whether the command starts a SASL exchange with
// the mechanism it is given (SMTP's and POP3's AUTH, IMAP's AUTHENTICATE).
func (c *Command) TakesMechanism() bool {
	return c.ArgKind == ArgMechanism || len(c.Args) > 0 && c.Args[0] == ArgMechanism
}

// Table is a protocol's set of commands.
type Table []*Command

// Lookup finds a command by verb, in any case. It returns nil for a verb
// the table does not know.
func (t Table) Lookup(verb string) *Command {
	for _, c := range t {
		if strings.EqualFold(c.Name, verb) {
			return c
		}
	}
	return nil
}

// SplitCommand splits a command line into its verb and argument, as
// servers do: the verb ends at the first space.
func SplitCommand(line string) (verb, arg string) {
	verb, arg, _ = strings.Cut(line, " ")
	return verb, strings.TrimLeft(arg, " ")
}

// ValidateLine rejects a line that would break the protocol's framing if
// sent: a CR or LF inside it would let one typed line smuggle a second
// command (as net/smtp's validateLine guards against).
func ValidateLine(line string) error {
	// Two byte searches, which run a word at a time, rather than
	// ContainsAny's loop: every line of a large message passes here.
	if strings.IndexByte(line, '\r') >= 0 || strings.IndexByte(line, '\n') >= 0 {
		return ErrBadCommand
	}
	return nil
}

// RedactArg shows a command with its whole argument hidden: "PASS
// [redacted]".
func RedactArg(verb string) func(string) string {
	return func(string) string { return verb + " [redacted]" }
}

func always(string) bool  { return true }
func noArg(a string) bool { return a == "" }

func states(s ...State) []State { return s }

// Word is a keyword an argument may be, with a hint for completion.
type Word struct {
	Text, Help string
	// Ext is the capability the server must advertise for the word to be
	// offered; empty for base words.
	Ext string
}

// ArgsAt returns the kind of a command's argument at position i (0 for
// the first), the last kind repeating for lists (SEARCH keys, FETCH items,
// flags).
func (c *Command) ArgsAt(i int) ArgKind {
	if len(c.Args) == 0 {
		if i == 0 {
			return c.ArgKind
		}
		return ArgText
	}
	if i < len(c.Args) {
		return c.Args[i]
	}
	switch last := c.Args[len(c.Args)-1]; last {
	case ArgFetchItem, ArgFlags, ArgSearchKey, ArgStatusItems, ArgCapability:
		return last
	}
	return ArgText
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
