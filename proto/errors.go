package proto

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Every error the engine returns for a broken
// conversation wraps one of these.
var (
	// ErrProtocol means the peer sent something the protocol does not allow,
	// such as a reply line without a code. The session is botched after it.
	ErrProtocol = errors.New("protocol error")
	// ErrLineTooLong means a line exceeded the reader's cap.
	ErrLineTooLong = errors.New("line too long")
	// ErrReplyTooLong means a multi-line reply exceeded the cap on lines.
	ErrReplyTooLong = errors.New("reply too long")
	// ErrTimeout means the peer did not answer within the timeout.
	ErrTimeout = errors.New("timed out")
	// ErrClosed means the peer closed the connection.
	ErrClosed = errors.New("connection closed by server")
	// ErrBotched means an earlier error left the session out of step with
	// the server, so no further command is sent on it.
	ErrBotched = errors.New("session out of step after an earlier error")
	// ErrBadCommand means a command line is not fit to send, such as one
	// holding a CR or LF.
	ErrBadCommand = errors.New("bad command line")
)

// ProtocolError describes a line the peer sent that breaks the protocol.
type ProtocolError struct {
	Line string // the offending line, shortened
	Msg  string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("protocol error: %s: %q", e.Msg, e.Line)
}

// Unwrap lets errors.Is(err, ErrProtocol) match.
func (e *ProtocolError) Unwrap() error { return ErrProtocol }

func protoErr(line []byte, format string, args ...any) error {
	s := string(line)
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return &ProtocolError{Line: s, Msg: fmt.Sprintf(format, args...)}
}
