package main

import (
	"strings"
	"testing"
)

// hostileText is what a server or a message must not pass to the
// terminal: a window title set (OSC 0, ended by BEL), a screen clear, a
// right-to-left override that makes "exe.txt" read "txt.exe", a
// left-to-right isolate and a zero-width space.
const hostileText = "\x1b]0;pwned\x07\x1b[2J\u202Eexe.txt\u2066\u200B"

// hostileShown is hostileText as mailsh shows it.
const hostileShown = `\x1b]0;pwned\x07\x1b[2J\u202Eexe.txt\u2066\u200B`

// hostileCode is an IMAP response code with a screen clear and a
// right-to-left override in it (a code ends at a space or "]", so it
// cannot hold the OSC).
const (
	hostileCode      = "X\x1b[2J\u202Eexe.txt\u2066\u200B"
	hostileCodeShown = `X\x1b[2J\u202Eexe.txt\u2066\u200B`
)

// checkEscaped fails unless out shows hostileText escaped, want times,
// and never writes any of it raw. mailsh's own colours are escape
// sequences too: what must be absent is the server's or the message's.
func checkEscaped(t *testing.T, what, out string, want int) {
	t.Helper()
	for _, raw := range []string{"\x1b]0;pwned", "pwned\x07", "\x1b[2J", "\u202E", "\u2066", "\u200B"} {
		if strings.Contains(out, raw) {
			t.Errorf("%s wrote %q raw:\n%q", what, raw, out)
		}
	}
	if n := strings.Count(out, hostileShown); n != want {
		t.Errorf("%s shows %s %d times, want %d:\n%q", what, hostileShown, n, want, out)
	}
}
