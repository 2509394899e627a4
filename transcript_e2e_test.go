package main

import (
	"bufio"
	"encoding/base64"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

// base64Forms returns what base64 text a password can turn into wherever
// it sits in a blob: its encoding at each of the three alignments, minus
// the characters that depend on its neighbours.
func base64Forms(pw string) []string {
	var out []string
	for k := 0; k < 3; k++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\x00", k) + pw + "\x00\x00\x00"))
		// Characters before the password's first full sextet group and
		// after its last depend on other bytes: trim them.
		start := (k*8 + 5) / 6
		end := ((k + len(pw)) * 8) / 6
		if end > start {
			out = append(out, enc[start:end])
		}
	}
	return out
}

// TestSecretsNeverRecorded logs in every way there is, records the
// sessions, exports them, and looks for the password and its base64 forms
// in every file mailsh wrote: the transcript, the three exports and the
// shell's history.
func TestSecretsNeverRecorded(t *testing.T) {
	t.Parallel()
	const pw = "Sup3r-secret-tanstaaf"
	d := peertest.StartDovecot(t, "", map[string]string{"vmc": pw})
	d.Deliver(t, "vmc", "1.msg", []byte("Subject: hi\r\n\r\nhello\r\n"))
	dir := t.TempDir()
	tr := filepath.Join(dir, "session.txt")
	env := []string{"MAILSH_PASSWORD=" + pw}
	for _, script := range []string{
		"USER vmc\nPASS " + pw + "\nQUIT\n", // typed in full, as in the lecture
		"USER vmc\nPASS\nQUIT\n",            // PASS alone, from the environment
		":auth APOP vmc\nQUIT\n",
		":auth PLAIN vmc\nQUIT\n",
		":auth LOGIN vmc\nQUIT\n",
		":auth CRAM-MD5 vmc\nQUIT\n",
		"AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00vmc\x00"+pw)) + "\nQUIT\n", // a blob typed by hand
	} {
		r := mailsh(t, script, env, "-t", tr, "pop3://"+d.Addr)
		r.must(t, 0, "+OK Logged in.")
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Fatalf("password printed:\n%s", r.stdout)
		}
	}
	// An interactive session, for the history file.
	state := filepath.Join(dir, "state")
	tt := startTTY(t, []string{"XDG_STATE_HOME=" + state}, "-t", tr, "pop3://"+d.Addr)
	tt.waitPrompt("auth>")
	tt.send("USER vmc\r")
	tt.waitPrompt("pass>")
	tt.send("PASS " + pw + "\r")
	tt.waitPrompt("trans>")
	tt.send("QUIT\r")
	tt.wait()

	files := []string{tr, filepath.Join(state, "mailsh", "history")}
	for _, f := range []string{"md", "html", "json"} {
		out := filepath.Join(dir, "export."+f)
		mailsh(t, "", nil, "transcript", "export", tr, "--format", f, "-o", out).must(t, 0)
		files = append(files, out)
	}
	forms := append([]string{pw}, base64Forms(pw)...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, form := range forms {
			if strings.Contains(string(b), form) {
				t.Errorf("%s holds %q", filepath.Base(f), form)
			}
		}
	}
	b, _ := os.ReadFile(tr)
	for _, want := range []string{"C: PASS [redacted]", "C: APOP vmc [redacted]", "C: AUTH PLAIN [redacted user=vmc]", "C: AUTH LOGIN", "C: AUTH CRAM-MD5", "C: [redacted]"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	// The check itself must be able to fail: an unredacted recording
	// holds the password.
	raw := filepath.Join(dir, "raw.txt")
	mailsh(t, "USER vmc\nPASS "+pw+"\nQUIT\n", nil, "--no-redact", "-t", raw, "pop3://"+d.Addr).must(t, 0, "redaction is off")
	if b, _ := os.ReadFile(raw); !strings.Contains(string(b), "PASS "+pw) {
		t.Fatal("--no-redact did not record the password")
	}
}

// TestTranscriptSurvivesSIGKILL kills mailsh in the middle of a session:
// every line exchanged before the kill is in the transcript.
func TestTranscriptSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tr := filepath.Join(t.TempDir(), "killed.txt")
	cmd := exec.Command(mailshBin, "-t", tr, "smtp://"+srv.Addr)
	cmd.Env = cleanEnv()
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := bufio.NewReader(stdout)
	var seen []string
	waitFor := func(prefix string) {
		t.Helper()
		for {
			line, err := out.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %q: %v (seen %q)", prefix, err, seen)
			}
			seen = append(seen, strings.TrimRight(line, "\n"))
			if strings.HasPrefix(line, prefix) {
				return
			}
		}
	}
	waitFor("S: 220")
	io.WriteString(stdin, "EHLO me\n")
	waitFor("S: 250 8BITMIME")
	io.WriteString(stdin, "MAIL FROM:<a@b>\n")
	waitFor("S: 250")
	io.WriteString(stdin, "RCPT TO:<c@d>\nDATA\n")
	waitFor("S: 354")
	io.WriteString(stdin, "Subject: half a message\n")
	waitFor("C: Subject: half a message")
	// The recorder writes each line before the printer shows it, so all
	// that was seen is recorded.
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	rec := string(b)
	for _, l := range seen {
		if strings.HasPrefix(l, "* ") {
			continue
		}
		dir, text, _ := strings.Cut(l, ": ")
		if dir == "C" && strings.HasPrefix(text, "Subject") {
			dir = "C|"
		} else {
			dir += ":"
		}
		if !strings.Contains(rec, " "+dir+" "+text+"\n") {
			t.Errorf("transcript lacks %q (%s %s):\n%s", l, dir, text, rec)
		}
	}
}
