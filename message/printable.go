package message

import "github.com/mailsh/mailsh/internal/termsafe"

// printable makes one line of message text safe to print on a terminal:
// control characters (but TAB), DEL, C1 controls and invalid UTF-8 are
// shown as \xNN; line breaks as \r and \n.
func printable(s string) string {
	return termsafe.String(s, termsafe.Options{})
}

// printableText is printable for a body: line feeds stay, a CR before a
// LF is dropped, and every other control character is escaped.
func printableText(s string) string { return termsafe.Text(s) }

// quote quotes a name from a message (a file name, a date): escaped as
// the rest of its text is.
func quote(s string) string { return termsafe.Quote(s) }
