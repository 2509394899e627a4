package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sgrRE finds the colour and style changes (SGR sequences) in what mailsh
// wrote.
var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// colourSession types, at a terminal, a session that meets a reply of
// each class: 250, 451 (a fault rule), 550, 354, and a message of
// mailsh's own; then a RETR whose header field names are shown bold.
func colourSession(t *testing.T, env []string, args ...string) string {
	t.Helper()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:pw", "--fault", "rcpt~*@grey.example:451")
	tt := startTTY(t, append(isolatedHome(t), env...), append(args, "smtp://"+s.smtp)...)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.command("MAIL FROM:<a@example.org>", "Sender <a@example.org> OK", "rcpt>")
	tt.command("RCPT TO:<x@grey.example>", "451 4.3.0", "rcpt>")
	tt.command("RCPT TO:<x@elsewhere.example>", "550 5.7.1", "rcpt>")
	tt.command("RCPT TO:<alice@localhost>", "for the mailbox of alice", "data>")
	tt.command("DATA", "354 Start mail input", "")
	tt.send("Subject: colours\r\rhi\r.\r")
	tt.waitFor("Message accepted")
	tt.command(":nosuch", "mailsh: unknown command :nosuch", "")
	tt.command(":transcript start "+filepath.Join(t.TempDir(), "t.txt"), "recording to ", "")
	tt.send("QUIT\r")
	tt.wait()
	return tt.rawString()
}

// colourCase is a text and the colour it must be shown in.
type colourCase struct{ what, seq, text string }

// checkColours checks that each text is written in its colour.
func checkColours(t *testing.T, raw string, cases []colourCase) {
	t.Helper()
	for _, c := range cases {
		if !strings.Contains(raw, c.seq+c.text) {
			i := strings.Index(raw, c.text)
			t.Errorf("%s: %q is not preceded by %q: %q", c.what, c.text, c.seq, raw[max(0, i-40):max(0, i)+len(c.text)])
		}
	}
}

// checkPlain checks that text is shown, with no colour or style from the
// start of its line to its end.
func checkPlain(t *testing.T, raw, text string) {
	t.Helper()
	i := strings.Index(raw, text)
	if i < 0 {
		t.Fatalf("%q not shown: %q", text, raw)
	}
	if line := raw[strings.LastIndex(raw[:i], "\n")+1 : i+len(text)]; sgrRE.MatchString(line) {
		t.Errorf("%q is coloured: %q", text, line)
	}
}

// Replies are coloured by class, mailsh's own messages magenta; with
// --no-color, NO_COLOR or TERM=dumb nothing is coloured.
func TestTTYColourByClass(t *testing.T) {
	t.Parallel()
	t.Run("colour", func(t *testing.T) {
		t.Parallel()
		checkColours(t, colourSession(t, nil), []colourCase{
			{"2xx green", "\x1b[32m", "250 2.1.0 Sender"},
			{"3xx cyan", "\x1b[36m", "354 Start mail input"},
			{"4xx yellow", "\x1b[33m", "451 4.3.0"},
			{"5xx red", "\x1b[31m", "550 5.7.1"},
			{"mailsh's own error bold red", "\x1b[31;1m", "mailsh: unknown command :nosuch"},
			{"mailsh's own message magenta", "\x1b[35m", "recording to "},
		})
	})
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--no-color", nil, []string{"--no-color"}},
		{"NO_COLOR", []string{"NO_COLOR=1"}, nil},
		{"TERM=dumb", []string{"TERM=dumb"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw := colourSession(t, c.env, c.args...)
			for _, text := range []string{"250 2.1.0 Sender", "354 Start mail input", "451 4.3.0", "550 5.7.1", "mailsh: unknown command :nosuch", "recording to "} {
				checkPlain(t, raw, text)
			}
		})
	}
}
