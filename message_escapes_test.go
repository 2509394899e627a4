package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileMessage carries hostileText in a Received field (host names, id
// and date), the Subject, the body of a text part and the file name of
// an attachment.
func hostileMessage() string {
	return "Received: from a.example by b" + hostileText + ".example; Thu, 12 Dec 2002 20:31:00 " + hostileText + "\r\n" +
		"Received: from relay" + hostileText + ".example (relay.example [192.0.2.7]) by mx" + hostileText +
		".example with ESMTP id ID" + hostileText + "; Thu, 12 Dec 2002 20:30:00 +0000\r\n" +
		"Received: from origin.example (origin.example [192.0.2.1]) by relay.example with ESMTP id X1; Thu, 12 Dec 2002 20:28:47 +0000\r\n" +
		"From: a@example.org\r\n" +
		"To: demo@localhost\r\n" +
		"Subject: hi " + hostileText + "\r\n" +
		"Date: Thu, 12 Dec 2002 20:20:00 +0000\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n" +
		"\r\n" +
		"--b\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"body " + hostileText + " end\r\n" +
		"--b\r\n" +
		"Content-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"name" + hostileText + "\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"aGVsbG8=\r\n" +
		"--b--\r\n"
}

// writeHostileMessage writes hostileMessage to a file and returns its path.
func writeHostileMessage(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hostile.eml")
	if err := os.WriteFile(path, []byte(hostileMessage()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mailsh msg's views and save, on standard output that is not a
// terminal: nothing from the message reaches it raw.
func TestMsgEscapesMessageText(t *testing.T) {
	t.Parallel()
	file := writeHostileMessage(t)
	out := filepath.Join(t.TempDir(), "part2.bin")
	for _, tc := range []struct {
		args []string
		want int // the places hostileText is shown in full
	}{
		// Two Received fields (five times), Subject, body, file name.
		{[]string{"show", file}, 8},
		{[]string{"mime", file}, 1},
		// The hop table's FROM, BY and ID of hop 2, BY of hop 3, and
		// the note on hop 3's unreadable date.
		{[]string{"hops", file}, 5},
		{[]string{"headers", file}, 6},
		{[]string{"save", file, "2", out}, 1},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			t.Parallel()
			r := mailsh(t, "", isolatedHome(t), append([]string{"msg"}, tc.args...)...)
			r.must(t, 0)
			if strings.Contains(r.stdout+r.stderr, "\x1b") {
				t.Errorf("an escape character was written:\n%q", r.stdout+r.stderr)
			}
			checkEscaped(t, "mailsh msg "+tc.args[0], r.stdout+r.stderr, tc.want)
		})
	}
}

// In the shell at a terminal, the message delivered over SMTP and
// retrieved with RETR: :show, :mime, :hops, :headers and :save write
// nothing of it raw, each showing it escaped.
func TestShellMessageViewsEscape(t *testing.T) {
	t.Parallel()
	const pw = "views-Pw-4s"
	tt, _ := startBuiltin(t, pw)
	file := writeHostileMessage(t)
	saved := filepath.Join(t.TempDir(), "part2.bin")
	for _, step := range []struct{ typed, reply, prompt string }{
		{"EHLO me", "250 HELP", "mail>"},
		{"MAIL FROM:<a@example.org>", "250 2.1.0", "rcpt>"},
		{"RCPT TO:<demo@localhost>", "250 2.1.5", "rcpt/data>"},
		{":data " + file, "250 2.0.0", "mail>"},
		{"QUIT", "221 ", "(not connected)>"},
		{":connect pop3", "+OK ", "auth>"},
		{"USER demo", "+OK ", "pass>"},
		{"PASS " + pw, "+OK Logged in", "trans>"},
	} {
		tt.command(step.typed, step.reply, step.prompt)
	}
	for _, step := range []struct {
		typed, reply string
		want         int
	}{
		// The message as it crossed the wire, then the views.
		{"RETR 1", "end of the reply", 8},
		{":show", "[part 2:", 8},
		{":mime", "FILENAME", 1},
		{":hops", "slowest hop", 5},
		{":headers", "the topic (RFC 5322", 6},
		{":save 2 " + saved, "SHA-256", 1},
	} {
		before := len(tt.rawString())
		tt.command(step.typed, step.reply, "trans>")
		checkEscaped(t, step.typed, tt.rawString()[before:], step.want)
	}
	tt.command("QUIT", "signing off", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if b, err := os.ReadFile(saved); err != nil || string(b) != "hello" {
		t.Fatalf("the saved part holds %q (%v), want \"hello\"", b, err)
	}
}

// What mailsh says about a damaged part quotes the message's own text
// in the same escaped form: an unknown charset, an unknown transfer
// encoding.
func TestMsgProblemNotesEscape(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "damaged.eml")
	msg := "Subject: damaged\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=\"x" + hostileText + "\"\r\n\r\nhello\r\n" +
		"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: y" + hostileText + "\r\n\r\nhello\r\n--b--\r\n"
	if err := os.WriteFile(path, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mailsh(t, "", nil, "msg", "show", path)
	// The parser lower-cases both names, so the screen clear reads [2j.
	shown := strings.Replace(hostileShown, "[2J", "[2j", 1)
	r.must(t, 0, `unknown charset "x`+shown+`"`, `unknown Content-Transfer-Encoding "y`+shown+`"`)
	checkEscaped(t, "msg show's problem notes", strings.ReplaceAll(r.stdout+r.stderr, shown, hostileShown), 4)
}
