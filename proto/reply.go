package proto

import (
	"fmt"
	"strings"
)

// Class is the outcome a reply announces, shared by both protocols so that
// the shell can colour and the transcript can annotate them alike.
type Class int

// Reply classes. RFC 5321 §4.2.1 gives the first digit's meaning; POP3's
// "+OK" is Positive, "-ERR" is Permanent (RFC 1939 has no transient
// failures, though RFC 2449 §8.1.1 IN-USE and §8.1.2 LOGIN-DELAY mean "try
// later"), and a SASL "+ " continuation is Intermediate.
const (
	ClassUnknown      Class = iota
	ClassPositive           // 2xx, +OK
	ClassIntermediate       // 3xx, "+ " continuation
	ClassTransient          // 4xx
	ClassPermanent          // 5xx, -ERR
)

func (c Class) String() string {
	return [...]string{"unknown", "positive", "intermediate", "transient", "permanent"}[c]
}

// Failed reports whether the class is a failure (4xx, 5xx, -ERR).
func (c Class) Failed() bool { return c == ClassTransient || c == ClassPermanent }

// Reply is one complete reply from a server: for SMTP all lines of a
// (possibly multi-line) reply; for POP3 the status line. The body of a POP3
// multi-line response is not part of it: it is streamed line by line.
type Reply struct {
	Proto Protocol
	// Code is the SMTP reply code (RFC 5321 §4.2), 0 for POP3.
	Code int
	// Enhanced is the RFC 3463 status code, if the reply carried one.
	Enhanced EnhancedCode
	// Status is POP3's status indicator: "+OK", "-ERR" or "+" for a SASL
	// continuation (RFC 5034 §4). Empty for SMTP.
	Status string
	// RespCode is the RFC 2449 §8 response code of a POP3 reply, such as
	// "IN-USE" or "AUTH", or the RFC 9051 §7.1 response code of an IMAP
	// status response ("TRYCREATE", "CAPABILITY IMAP4rev1 …"), without
	// brackets.
	RespCode string
	// Tag is the tag of an IMAP completion ("a1"), "*" for the greeting,
	// "+" for a continuation request. Status is then "OK", "NO", "BAD",
	// "PREAUTH", "BYE" or "+".
	Tag string
	// Text holds the text of each line, after the code and separator (and
	// after the enhanced code, if any).
	Text []string
	// Lines holds the lines exactly as received, without line endings.
	Lines []string
}

// Class returns what the reply announces.
func (r *Reply) Class() Class { return r.Proto.Spec().Class(r) }

// Message returns the reply's text lines joined with newlines.
func (r *Reply) Message() string { return strings.Join(r.Text, "\n") }

// Label is a short name for the reply for tables and errors: "250",
// "+OK", "NO [TRYCREATE]".
func (r *Reply) Label() string { return r.Proto.Spec().Label(r) }

func (r *Reply) String() string { return strings.Join(r.Lines, "\n") }

// ReplyError is a failure reply (4xx, 5xx, -ERR) returned as an error, for
// callers such as script mode's --errexit that stop at the first one.
type ReplyError struct {
	Command string // the command line that drew the reply, redacted
	Reply   *Reply
}

func (e *ReplyError) Error() string {
	if e.Command == "" {
		return "server replied " + e.Reply.Lines[0]
	}
	return fmt.Sprintf("%s: server replied %s", e.Command, e.Reply.Lines[0])
}

// Temporary reports whether the failure is transient (4xx, or POP3's
// IN-USE and LOGIN-DELAY response codes, or IMAP's UNAVAILABLE and
// INUSE).
func (e *ReplyError) Temporary() bool { return e.Reply.Proto.Spec().Temporary(e.Reply) }

// MaxReplyLines caps the lines of one multi-line SMTP reply. EHLO replies
// run to a few dozen lines; the cap only stops a hostile server.
const MaxReplyLines = 4096
