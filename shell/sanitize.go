package shell

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Printable makes a line from the network safe to print on a terminal: a
// hostile server must not be able to move the cursor or retitle the window
// with escape sequences. Control characters (but TAB) and invalid UTF-8
// are shown as \xNN. With raw set, TAB is shown too, as in :raw mode.
func Printable(s string, raw bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && (raw || c != '\t') || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' && !raw:
			b.WriteByte('\t')
		case r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
