package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startBuiltinAt starts mailsh with no arguments, as startBuiltin does,
// with HOME and the XDG directories under home: two runs with the same
// home share their history.
func startBuiltinAt(t *testing.T, home, password string, args ...string) *tty {
	t.Helper()
	data := filepath.Join(home, "data")
	if err := os.MkdirAll(filepath.Join(data, "mailsh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "mailsh", "demo-password"), []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tt := startTTY(t, []string{"HOME=" + home, "XDG_DATA_HOME=" + data,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config")}, args...)
	tt.waitPrompt("helo>")
	return tt
}

// editTo sends keys and waits until the line after prompt reads want.
func (tt *tty) editTo(prompt, keys, want string) {
	tt.t.Helper()
	tt.send(keys)
	tt.waitUntil("the line "+prompt+" "+want, func(string) bool {
		return strings.HasSuffix(tt.lastLine(), prompt+" "+strings.TrimRight(want, " "))
	})
}

const (
	keyUp   = "\x1b[A"
	keyDown = "\x1b[B"
)

// History is kept across runs, in $XDG_STATE_HOME/mailsh/history, with
// the commands typed and never a password or a line of message text; Up
// and Down walk it, Ctrl-R searches it, and the Emacs keys edit the line.
func TestKeysHistoryAcrossRuns(t *testing.T) {
	t.Parallel()
	const pw = "hist-Pw-7q3"
	home := t.TempDir()

	// The first run: a message sent, then a POP3 login with the password
	// on the PASS line.
	tt := startBuiltinAt(t, home, pw)
	for _, step := range []struct{ typed, reply, prompt string }{
		{"EHLO first.example", "250 HELP", "mail>"},
		{"MAIL FROM:<a@b.example>", "250 2.1.0", "rcpt>"},
		{"RCPT TO:<demo@localhost>", "250 2.1.5", "rcpt/data>"},
		{"DATA", "354 ", "data>"},
		{"Subject: subject-not-kept", "data> Subject: subject-not-kept", "data>"},
		{"", "data>", "data>"},
		{"text-not-kept", "data> text-not-kept", "data>"},
		{".", "250 2.0.0", "mail>"},
		{"QUIT", "221 ", "(not connected)>"},
		{":connect pop3", "+OK ", "auth>"},
		{"USER demo", "+OK ", "pass>"},
		{"PASS " + pw, "+OK Logged in", "trans>"},
		{"STAT", "+OK 1 ", "trans>"},
	} {
		tt.command(step.typed, step.reply, step.prompt)
	}
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	kept := []string{"EHLO first.example", "MAIL FROM:<a@b.example>", "RCPT TO:<demo@localhost>", "DATA",
		"QUIT", ":connect pop3", "USER demo", "STAT"}
	if hist := readHistory(t, home); hist != strings.Join(kept, "\n")+"\n" {
		t.Errorf("history file:\n%s\nwant exactly:\n%s", hist, strings.Join(kept, "\n"))
	}

	// The second run, in the same state directory: Up recalls the lines
	// of the first, newest first, and nothing between them.
	tt = startBuiltinAt(t, home, pw)
	for i := len(kept) - 1; i >= 0; i-- {
		tt.editTo("helo>", keyUp, kept[i])
	}
	tt.editTo("helo>", keyDown, kept[1])
	tt.editTo("helo>", keyDown, kept[2])
	tt.send("\x15")
	tt.waitPrompt("helo>")

	// Ctrl-R finds a line by a word of it; Enter sends it.
	tt.send("\x12")
	tt.waitFor("bck-i-search:")
	tt.send("first")
	tt.waitUntil("the EHLO line found", func(s string) bool {
		return strings.Contains(s, "bck-i-search: first") && strings.Contains(s, "helo> EHLO first.example")
	})
	tt.command("", "Hello first.example", "mail>")

	// The Emacs keys: Ctrl-A and Ctrl-E to the start and the end,
	// Ctrl-W deletes a word back, Ctrl-B and Ctrl-F move by a character,
	// Ctrl-K deletes to the end.
	tt.editTo("mail>", "OOP one two", "OOP one two")
	tt.editTo("mail>", "\x01N", "NOOP one two")
	tt.editTo("mail>", "\x05\x17", "NOOP one ")
	tt.editTo("mail>", "\x02\x02x", "NOOP onxe ")
	tt.editTo("mail>", "\x01\x06\x06\x06\x06\x0b", "NOOP")
	tt.command(" three", "250 ", "mail>")
	if !strings.Contains(tt.screen(), "mail> NOOP three\n250 ") {
		t.Errorf("the edited line is not NOOP three:\n%s", tt.screen())
	}
	tt.send("\x04")
	tt.wait()
	if hist := readHistory(t, home); !strings.HasSuffix(hist, "\nEHLO first.example\nNOOP three\n") {
		t.Errorf("history after the second run:\n%s", hist)
	}
}

// readHistory returns the history file of the runs with this home.
func readHistory(t *testing.T, home string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(home, "state", "mailsh", "history"))
	if err != nil {
		t.Error(err)
	}
	return string(b)
}
