package shell

import "github.com/mailsh/mailsh/internal/termsafe"

// Printable makes a line from the network safe to print on a terminal: a
// hostile server must not be able to move the cursor or retitle the window
// with escape sequences. Control characters (but TAB) and invalid UTF-8
// are shown as \xNN. With raw set, TAB is shown too, as in :raw mode.
func Printable(s string, raw bool) string {
	return termsafe.String(s, termsafe.Options{ShowTab: raw})
}
