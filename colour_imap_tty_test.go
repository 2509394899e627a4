package main

import (
	"strings"
	"testing"
)

// IMAP at a terminal: tagged OK green, NO yellow, BAD red, "+" cyan,
// untagged data plain; a failure's response code is explained, and
// :explain explains one asked for.
func TestTTYIMAPColours(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "imap-colour-Pw4")
	tt.command(":connect imap", "IMAP server ready", "login a1>")
	tt.typeSecret("login a1>", "LOGIN demo wrong-one", len("LOGIN demo "))
	tt.command("", "a1 NO [AUTHENTICATIONFAILED]", "login a2>")
	tt.typeSecret("login a2>", "LOGIN demo imap-colour-Pw4", len("LOGIN demo "))
	tt.command("", "a2 OK", "auth a3>")
	tt.command("x1 FROB", "x1 BAD", "auth a3>")
	tt.command("SELECT INBOX", "a3 OK", "a4>")
	tt.command("APPEND INBOX {9}", "+ ", "")
	tt.command("Subject:", "", "")
	tt.waitFor("a4 OK")
	tt.command("COPY 1 Nowhere", "a5 NO [TRYCREATE]", "a6>")
	before := strings.Count(tt.screen(), "the target mailbox does not exist: CREATE it first")
	tt.command(":explain TRYCREATE", "the target mailbox does not exist: CREATE it first", "a6>")
	if after := strings.Count(tt.screen(), "the target mailbox does not exist: CREATE it first"); after != before+1 {
		t.Errorf(":explain TRYCREATE: the explanation shown %d times, then %d", before, after)
	}
	raw := tt.rawString()
	checkColours(t, raw, []colourCase{
		{"tagged OK green", "\x1b[32m", "a2 OK"},
		{"tagged NO yellow", "\x1b[33m", "a1 NO"},
		{"tagged BAD red", "\x1b[31m", "x1 BAD"},
		{"continuation cyan", "\x1b[36m", "+ "},
	})
	checkPlain(t, raw, "* 1 EXISTS") // untagged data
	// Explanations: after the failures, and asked for.
	screen := tt.screen()
	for _, want := range []string{"↳ NO [AUTHENTICATIONFAILED]", "↳ NO [TRYCREATE]"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no explanation %q:\n%s", want, screen)
		}
	}
}
