package main

import (
	"strings"
	"testing"
)

// Keys typed while mailsh waits for a reply are not echoed by the
// terminal: a password typed ahead on the PASS line shows masked, at the
// next prompt, and never in clear.
func TestKeysTypedAheadSecretMasked(t *testing.T) {
	t.Parallel()
	const pw = "ahead-Pw-8z"
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:"+pw, "--fault", "pop3.user:delay=1500ms")
	tt := startTTY(t, isolatedHome(t), "pop3://"+s.pop3)
	tt.waitPrompt("auth>")
	tt.send("USER alice\r")
	// The line is shown once the editor has it; the server holds its
	// reply for 1.5 s, so mailsh is waiting for it now.
	tt.waitFor("auth> USER alice")
	tt.send("PASS " + pw + "\r")
	tt.waitFor("+OK Logged in as alice")
	if strings.Contains(tt.rawString(), pw) {
		t.Errorf("the password typed ahead was shown:\n%s", tt.screen())
	}
	if !strings.Contains(tt.screen(), "PASS "+strings.Repeat("*", len(pw))) {
		t.Errorf("the PASS line typed ahead is not shown masked:\n%s", tt.screen())
	}
}
