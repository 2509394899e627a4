package pop3

import (
	"bufio"
	"fmt"
)

// pop3Reply is one POP3 status line (RFC 1939 §3): "+OK" or "-ERR", an
// optional RFC 2449 §8 response code in brackets, and text.
type pop3Reply struct {
	ok   bool
	code string // "IN-USE", "AUTH", "SYS/TEMP"…; only with -ERR
	text string
}

func okReply(format string, args ...any) pop3Reply {
	return pop3Reply{ok: true, text: fmt.Sprintf(format, args...)}
}

func errReply(code, format string, args ...any) pop3Reply {
	return pop3Reply{code: code, text: fmt.Sprintf(format, args...)}
}

func (r pop3Reply) String() string {
	s := "-ERR"
	if r.ok {
		s = "+OK"
	}
	if r.code != "" {
		s += " [" + r.code + "]"
	}
	if r.text != "" {
		s += " " + r.text
	}
	return s
}

func (r pop3Reply) write(w *bufio.Writer) error {
	_, err := w.WriteString(r.String() + "\r\n")
	return err
}
