package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// checkRedacted fails if the password or the PLAIN blob is in text (a
// transcript, the script mode output), or if text lacks one of want.
func checkRedacted(t *testing.T, what, text, pw, plain string, want ...string) {
	t.Helper()
	for _, s := range []string{pw, plain} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds %q:\n%s", what, s, text)
		}
	}
	for _, s := range want {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
}

// The IMAP secrets typed at a terminal: an AUTHENTICATE PLAIN initial
// response, the answer to the server's "+", and a password sent as a
// literal are masked key by key, kept out of the history file, and
// redacted in the transcript.
func TestKeysIMAPSecrets(t *testing.T) {
	t.Parallel()
	const pw = "imap-Secret-8Kd"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00demo\x00" + pw))
	tr := filepath.Join(t.TempDir(), "imap.txt")
	tt, state := startBuiltin(t, pw, "-t", tr)

	// AUTHENTICATE PLAIN with the initial response on the line (SASL-IR).
	tt.command(":connect imap", "IMAP server ready", "login a1>")
	tt.typeSecret("login a1>", "AUTHENTICATE PLAIN "+plain, len("AUTHENTICATE PLAIN "))
	tt.command("", "a1 OK", "auth a2>")
	tt.command("LOGOUT", "a2 OK", "(not connected)>")

	// AUTHENTICATE PLAIN alone: the answer follows the server's "+".
	tt.command(":connect imap", "IMAP server ready", "login a1>")
	tt.command("AUTHENTICATE PLAIN", "+ ", ">")
	tt.typeSecret(">", plain, 0)
	tt.command("", "a1 OK", "auth a2>")
	tt.command("LOGOUT", "a2 OK", "(not connected)>")

	// LOGIN with the password as a literal: the line after the "+" is
	// the password.
	tt.command(":connect imap", "IMAP server ready", "login a1>")
	n := strconv.Itoa(len(pw))
	tt.command("LOGIN demo {"+n+"}", "+ ", "literal ("+n+" octets to go)>")
	// The announcement is no secret: it shows as typed.
	tt.waitFor("login a1> LOGIN demo {" + n + "}")
	tt.typeSecret("octets to go)>", pw, 0)
	tt.command("", "a1 OK", "auth a2>")

	// The control: the same password typed where it is no secret shows.
	tt.send("NOOP " + pw)
	tt.waitFor("NOOP " + pw)
	tt.send("\x15")
	tt.waitPrompt("auth a2>")
	tt.command("LOGOUT", "a2 OK", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}

	raw := tt.rawString()
	if n := strings.Count(raw, pw); n != 2 { // the start-up line and the control
		t.Errorf("the password was written %d times, want 2 (start-up line and control):\n%s", n, raw)
	}
	if strings.Contains(raw, plain) {
		t.Errorf("the PLAIN blob was written to the terminal:\n%s", raw)
	}
	hist, err := os.ReadFile(filepath.Join(state, "mailsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	checkRedacted(t, "the history file", string(hist), pw, plain, ":connect imap", "LOGOUT")
	if strings.Contains(string(hist), "LOGIN demo") {
		t.Errorf("the history file holds the LOGIN line:\n%s", hist)
	}
	rec, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	checkRedacted(t, "the transcript", string(rec), pw, plain,
		"C: a1 AUTHENTICATE PLAIN [redacted user=demo]",
		"C: a1 AUTHENTICATE PLAIN\n",
		"C: [redacted]\n",
		"C: a1 LOGIN demo [redacted]\n")
}

// In script mode the transcript and the output redact the same secrets.
func TestIMAPSecretsRedactedInScripts(t *testing.T) {
	t.Parallel()
	const pw = "imap-Script-3Vn"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00demo\x00" + pw))
	dir := t.TempDir()
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", filepath.Join(dir, "Maildir"), "--user", "demo:"+pw)
	n := strconv.Itoa(len(pw))
	for _, tc := range []struct {
		name, script string
		want         []string
	}{
		{"initial response", "AUTHENTICATE PLAIN " + plain + "\nLOGOUT\n",
			[]string{"C: a1 AUTHENTICATE PLAIN [redacted user=demo]", "S: a1 OK"}},
		{"answer", "AUTHENTICATE PLAIN\n" + plain + "\nLOGOUT\n",
			[]string{"C: a1 AUTHENTICATE PLAIN\n", "S: + ", "C: [redacted]\n", "S: a1 OK"}},
		{"literal", "LOGIN demo {" + n + "}\n" + pw + "\nLOGOUT\n",
			[]string{"C: a1 LOGIN demo [redacted]\n", "S: + ", "C: [redacted]\n", "S: a1 OK"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := filepath.Join(t.TempDir(), "imap.txt")
			r := mailsh(t, tc.script, isolatedHome(t), "-t", tr, "imap://"+s.imap)
			r.must(t, 0, "S: a2 OK")
			checkRedacted(t, "the output", r.stdout+r.stderr, pw, plain, tc.want...)
			rec, err := os.ReadFile(tr)
			if err != nil {
				t.Fatal(err)
			}
			checkRedacted(t, "the transcript", string(rec), pw, plain, tc.want...)
		})
	}
}
