// Package termsafe makes text from the network or from a message safe to
// print on a terminal: a hostile server or message must not be able to
// move the cursor, clear the screen or retitle the window with escape
// sequences. The shell and the message tools share it.
package termsafe

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode"
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
// invalid UTF-8 byte shown as \xNN, CR and LF as \r and \n, as o allows,
// and every invisible format character (see Invisible) as \uNNNN. Clean
// text is returned as it is, without copying.
func String(s string, o Options) string {
	clean := true
	i := printableASCII(s)
	for ; i < len(s); i++ {
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
		case Invisible(r) && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		case Invisible(r):
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// quoteEscapes escapes what would end or confuse a quoted string.
var quoteEscapes = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Quote puts s in double quotes, escaped as String escapes it with TAB
// shown (BEL as \x07, U+202E as \u202E, TAB as \x09), and " and \ with a
// backslash: a name or a line quoted in a sentence reads as the same text
// shown elsewhere, where strconv.Quote would give \a and \u202e.
func Quote(s string) string {
	return `"` + String(quoteEscapes.Replace(s), Options{ShowTab: true}) + `"`
}

// Invisible reports whether r is a character a terminal shows as nothing
// but that changes what is shown: the bidirectional controls (U+061C,
// U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069), with which a
// server can make "moc.elpmaxe" read "example.com" (the "Trojan Source"
// trick, CVE-2021-42574), and every other Unicode format character
// (category Cf: soft hyphen, zero-width space, word joiner, BOM, tags),
// and the line and paragraph separators U+2028 and U+2029. ZWNJ and ZWJ
// (U+200C, U+200D) are kept: Persian and Indic words and emoji sequences
// need them, and they move nothing.
func Invisible(r rune) bool {
	switch {
	case r < 0xa0:
		return false
	case r == 0x200c || r == 0x200d:
		return false
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// printableASCII returns the length of s's first stretch of printable
// ASCII (0x20 to 0x7E), rounded down to whole words: it tests eight bytes
// at once, since every line of a large message passes through String.
func printableASCII(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// A byte of 0x80 or more; one below 0x20; or 0x7F, which +1
		// carries into 0x80 (and w's high bits are all clear by then).
		if w&highs != 0 || (w-0x20*ones)&^w&highs != 0 || (w+ones)&highs != 0 {
			break
		}
	}
	return i
}

// Text is String for text of several lines: newlines are kept. An
// error message that quotes a peer is printed through it.
func Text(s string) string { return String(s, Options{KeepNewlines: true}) }

// Writer escapes all it is given as Text does: for a report, written a
// line at a time, that quotes what a peer sent.
type Writer struct{ W io.Writer }

func (w Writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.W, Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
