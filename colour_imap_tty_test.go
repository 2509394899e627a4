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
	for _, c := range []struct{ what, seq, text string }{
		{"tagged OK green", "\x1b[32m", "a2 OK"},
		{"tagged NO yellow", "\x1b[33m", "a1 NO"},
		{"tagged BAD red", "\x1b[31m", "x1 BAD"},
		{"continuation cyan", "\x1b[36m", "+ "},
	} {
		if !strings.Contains(raw, c.seq+c.text) {
			i := strings.Index(raw, c.text)
			t.Errorf("%s: %q is not preceded by %q: %q", c.what, c.text, c.seq, raw[max(0, i-30):max(0, i)+len(c.text)])
		}
	}
	// Untagged data is plain.
	i := strings.Index(raw, "* 1 EXISTS")
	if i < 0 {
		t.Fatalf("no * 1 EXISTS shown: %q", raw)
	}
	if line := raw[strings.LastIndex(raw[:i], "\n")+1 : i]; sgrRE.MatchString(line) {
		t.Errorf("untagged data is coloured: %q", raw[max(0, i-20):i+30])
	}
	// Explanations: after the failures, and asked for.
	screen := tt.screen()
	for _, want := range []string{"↳ NO [AUTHENTICATIONFAILED]", "↳ NO [TRYCREATE]"} {
		if !strings.Contains(screen, want) {
			t.Errorf("no explanation %q:\n%s", want, screen)
		}
	}
}
