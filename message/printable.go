package message

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// printable makes one line of message text safe to print on a terminal: a
// message must not be able to move the cursor or retitle the window with
// escape sequences. Control characters (but TAB), DEL, C1 controls and
// invalid UTF-8 are shown as \xNN; line breaks as \r and \n.
func printable(s string) string {
	return sanitize(s, false)
}

// printableText is printable for a body: line feeds stay, a CR before a
// LF is dropped, and every other control character is escaped.
func printableText(s string) string {
	return sanitize(s, true)
}

func sanitize(s string, text bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' && c != '\t' && !(text && c == '\n') || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteByte('\t')
		case r == '\n' && text:
			b.WriteByte('\n')
		case r == '\r' && text && strings.HasPrefix(s[i+1:], "\n"):
			// CRLF is a line break: the LF follows.
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
