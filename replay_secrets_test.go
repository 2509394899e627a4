package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordScript runs a script against target with -t, the password in
// MAILSH_PASSWORD, and gives the transcript's path.
func recordScript(t *testing.T, home []string, password, target, script string) string {
	t.Helper()
	tr := filepath.Join(t.TempDir(), "session.txt")
	mailsh(t, script, append(home, "MAILSH_PASSWORD="+password), "-t", tr, target).must(t, 0)
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), password) {
		t.Fatalf("the transcript holds the password:\n%s", b)
	}
	return tr
}

// A replay sends again what the transcript redacted, from --secret, from
// the environment, or asked at a terminal; the APOP digest and the
// CRAM-MD5 answer are computed afresh for the new server's challenge.
// A wrong secret makes the steps after it differ, so each case shows the
// secret was sent.
func TestReplaySecrets(t *testing.T) {
	t.Parallel()
	const pw = "s3cret-pw"
	home := isolatedHome(t)
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:"+pw, "--auth-failure-delay", "1ms", "--max-auth-failure-delay", "2ms")
	pop3, smtp := "pop3://"+s.pop3, "smtp://"+s.smtp
	transcripts := map[string]string{
		"USER/PASS": recordScript(t, home, pw, pop3, "USER alice\nPASS\nSTAT\nQUIT\n"),
		"APOP":      recordScript(t, home, pw, pop3, ":auth APOP alice\nSTAT\nQUIT\n"),
		"PLAIN":     recordScript(t, home, pw, smtp, "EHLO me\n:auth PLAIN alice\nQUIT\n"),
		"CRAM-MD5":  recordScript(t, home, pw, smtp, "EHLO me\n:auth CRAM-MD5 alice\nQUIT\n"),
	}
	for _, c := range []struct {
		name, transcript string
		env, args        []string
		code             int
		want             string
	}{
		{"--secret", "USER/PASS", nil, []string{"--secret", "password=" + pw}, 0, "replay: all 5 steps match"},
		{"MAILSH_PASSWORD", "USER/PASS", []string{"MAILSH_PASSWORD=" + pw}, nil, 0, "replay: all 5 steps match"},
		{"wrong password", "USER/PASS", []string{"MAILSH_PASSWORD=wrong"}, nil, 1, "replay: 2 of 5 steps differ (first: step 3, PASS [redacted])"},
		{"no password", "USER/PASS", nil, nil, 1, "the transcript redacted a password: give --secret password=… or set MAILSH_PASSWORD"},
		{"APOP afresh", "APOP", nil, []string{"--secret", "password=" + pw}, 0, "replay: all 4 steps match"},
		{"APOP wrong", "APOP", nil, []string{"--secret", "password=wrong"}, 1, "(first: step 2, APOP alice [redacted])"},
		{"PLAIN", "PLAIN", nil, []string{"--secret", "password=" + pw}, 0, "replay: all 4 steps match"},
		{"PLAIN wrong", "PLAIN", nil, []string{"--secret", "password=wrong"}, 1, "(first: step 3, AUTH PLAIN [redacted user=alice])"},
		// The CRAM-MD5 answer holds the user name: the transcript
		// redacted it too.
		{"CRAM-MD5 --secret user", "CRAM-MD5", nil, []string{"--secret", "password=" + pw, "--secret", "user=alice"}, 0, "replay: all 4 steps match"},
		{"CRAM-MD5 MAILSH_USER", "CRAM-MD5", []string{"MAILSH_USER=alice", "MAILSH_PASSWORD=" + pw}, nil, 0, "replay: all 4 steps match"},
		{"CRAM-MD5 wrong user", "CRAM-MD5", []string{"MAILSH_USER=bob", "MAILSH_PASSWORD=" + pw}, nil, 1, "(first: step 3, AUTH CRAM-MD5)"},
		{"CRAM-MD5 no user", "CRAM-MD5", []string{"MAILSH_PASSWORD=" + pw}, nil, 1, "the transcript redacted a user: give --secret user=… or set MAILSH_USER"},
	} {
		// One at a time: the POP3 replays log in to one maildrop, which
		// takes one session at a time.
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"replay", transcripts[c.transcript]}, c.args...)
			r := mailsh(t, "", append(home, c.env...), args...)
			r.must(t, c.code, c.want)
			if strings.Contains(r.stdout+r.stderr, pw) {
				t.Errorf("the replay printed the password:\n%s%s", r.stdout, r.stderr)
			}
		})
	}

	// At a terminal, the replay asks, without echo.
	t.Run("asked", func(t *testing.T) {
		tt := startTTY(t, home, "replay", transcripts["USER/PASS"])
		tt.waitFor("password for the replay:")
		tt.send(pw + "\r")
		tt.waitFor("replay: all 5 steps match")
		if code := tt.wait(); code != 0 {
			t.Errorf("exit status %d", code)
		}
		if strings.Contains(tt.rawString(), pw) {
			t.Errorf("the typed password was echoed:\n%s", tt.screen())
		}
	})
}

// Script mode: the password comes from --password-file; the input's end
// without QUIT sends QUIT.
func TestScriptPasswordFileAndQuit(t *testing.T) {
	t.Parallel()
	const pw = "s3cret-pw"
	home := isolatedHome(t)
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:"+pw, "--auth-failure-delay", "1ms", "--max-auth-failure-delay", "2ms")
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	os.WriteFile(good, []byte(pw+"\nthe first line only\n"), 0o600)
	os.WriteFile(bad, []byte("wrong\n"), 0o600)

	r := mailsh(t, "USER alice\nPASS\nSTAT\nQUIT\n", home, "--password-file", good, "pop3://"+s.pop3)
	r.must(t, 0, "C: PASS [redacted]", "S: +OK Logged in as alice", "C: STAT\nS: +OK 0 0")
	if strings.Contains(r.stdout+r.stderr, pw) {
		t.Errorf("the password was printed:\n%s", r.stdout)
	}
	mailsh(t, "USER alice\nPASS\nQUIT\n", home, "-e", "--password-file", bad, "pop3://"+s.pop3).must(t, 1, "C: PASS [redacted]", "S: -ERR [AUTH]")
	mailsh(t, "EHLO me\n:auth PLAIN alice\nQUIT\n", home, "--password-file", good, "smtp://"+s.smtp).must(t, 0, "S: 235 ")

	// No QUIT in the input: mailsh sends it, and the server's close after
	// it ends the session with status 0.
	for _, c := range []struct{ target, script, reply string }{
		{"smtp://" + s.smtp, "EHLO me\n", "S: 221 "},
		{"pop3://" + s.pop3, "CAPA\n", "S: +OK Goodbye"},
	} {
		r := mailsh(t, c.script, home, c.target)
		r.must(t, 0, "C: QUIT\n"+c.reply)
	}
}
