package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// In the built-in session, :connect smtps, pop3s and imaps reach the
// implicit-TLS sides of the built-in server, trusted without --insecure,
// and :connect smtp comes back to SMTP.
func TestEmbeddedServerConnectEachSide(t *testing.T) {
	t.Parallel()
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "mailsh"), 0o700)
	os.WriteFile(filepath.Join(xdg, "mailsh", "demo-password"), []byte("teste123\n"), 0o600)
	// Each :connect ends the session before it.
	script := `EHLO first
:connect smtps
EHLO over-tls
:connect pop3s
:auth
STAT
:connect imaps
:auth
:connect smtp
EHLO back
QUIT
`
	r := mailsh(t, script, []string{"XDG_DATA_HOME=" + xdg, "MAILSH_PASSWORD=teste123"})
	r.must(t, 0)
	// Each side, in order: its greeting, TLS where the side has it, and
	// a command answered.
	want := []string{
		"S: 220 localhost ESMTP", "C: EHLO first", "C: QUIT",
		"* TLS started: TLS 1.3", "S: 220 localhost ESMTP", "C: EHLO over-tls", "S: 250-localhost Hello over-tls",
		"* TLS started: TLS 1.3", "S: +OK localhost mailsh POP3", "S: +OK Logged in as demo", "C: STAT", "S: +OK 0 0",
		"* TLS started: TLS 1.3", "S: * OK [CAPABILITY", "authentication successful", "LOGOUT",
		"S: 220 localhost ESMTP", "C: EHLO back", "S: 250-localhost Hello back",
	}
	out := r.stdout
	for _, w := range want {
		i := strings.Index(out, w)
		if i < 0 {
			t.Fatalf("after what came before, the output lacks %q:\n%s", w, r.stdout)
		}
		out = out[i+len(w):]
	}
	// (The banner on stderr gives the demo password, on purpose.)
	if strings.Contains(r.stdout, "teste123") {
		t.Error("the session printed the password")
	}
}
