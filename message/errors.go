package message

import (
	"errors"
	"fmt"
)

// Kinds of failure, for errors.Is. Every error this package returns about a
// message or a file wraps one of them in an *Error.
var (
	// ErrMalformed: the input is not a readable message (no header, a
	// broken header line, a multipart body whose parts cannot be found).
	ErrMalformed = errors.New("malformed message")
	// ErrTooLarge: a limit that protects memory was reached (header size,
	// nesting depth, number of parts).
	ErrTooLarge = errors.New("too large")
	// ErrNoPart: the part number names no part of the message.
	ErrNoPart = errors.New("no such part")
	// ErrNotLeaf: the part is a multipart container, which has no content
	// of its own to save.
	ErrNotLeaf = errors.New("part is a container")
	// ErrExists: the output file exists and overwriting was not asked for.
	ErrExists = errors.New("file exists")
	// ErrIsDir: the output path is a directory.
	ErrIsDir = errors.New("is a directory")
	// ErrDraft: a message to compose is incomplete or invalid.
	ErrDraft = errors.New("invalid message to compose")
)

// Error is a failure about one message, part or file.
type Error struct {
	Kind error  // one of the Err… values above
	Part string // the part number it concerns, if any ("2.1")
	Msg  string // what went wrong, for a person
	Err  error  // the underlying error, if any
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Part != "" {
		s = "part " + e.Part + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives errors.Is and errors.As both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func errorf(kind error, part string, err error, format string, args ...any) *Error {
	return &Error{Kind: kind, Part: part, Msg: fmt.Sprintf(format, args...), Err: err}
}
