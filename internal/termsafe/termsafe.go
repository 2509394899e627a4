// Package termsafe makes text from the network or from a message safe to
// print on a terminal: a hostile server or message must not be able to
// move the cursor, clear the screen or retitle the window with escape
// sequences. The shell and the message tools share it.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Options say what to keep.
type Options struct {
	// ShowTab escapes TAB too (the shell's :raw mode); otherwise it stays.
	ShowTab bool
	// KeepNewlines keeps LF, and drops a CR before it, for multi-line
	// text; otherwise CR and LF are shown as \r and \n.
	KeepNewlines bool
}

// String returns s with every control character (C0, DEL, C1) and every
// invalid UTF-8 byte shown as \xNN, CR and LF as \r and \n, as o allows.
// Clean text is returned as it is, without copying.
func String(s string, o Options) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' && (o.ShowTab || c != '\t') && !(o.KeepNewlines && c == '\n') || c == 0x7f || c >= 0x80 {
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
		case r == '\t' && !o.ShowTab:
			b.WriteByte('\t')
		case r == '\n' && o.KeepNewlines:
			b.WriteByte('\n')
		case r == '\r' && o.KeepNewlines && strings.HasPrefix(s[i+1:], "\n"):
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
