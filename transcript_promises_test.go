package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// headerRE finds each session's header of a transcript: its number and
// its target.
var headerRE = regexp.MustCompile(`(?m)^# session: (\d+)\n# version: .*\n# target: (.*)$`)

func sessions(t *testing.T, file string) (text string, headers [][]string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range headerRE.FindAllStringSubmatch(string(b), -1) {
		headers = append(headers, m[1:])
	}
	return string(b), headers
}

// What the Transcripts section says of recording: :transcript start,
// status and stop in a session; a :connect starts a new header in the
// same file; a new recording is appended with the next number, and
// mailsh says so; --abbreviate N keeps N lines of a message's text.
func TestTranscriptRecording(t *testing.T) {
	t.Parallel()
	home := isolatedHome(t)
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:pw")
	smtp, pop3 := "smtp://"+s.smtp, "pop3://"+s.pop3
	dir := t.TempDir()

	t.Run(":transcript", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(dir, "meta.txt")
		r := mailsh(t, "EHLO before\n:transcript start "+file+"\nNOOP\n:transcript status\n:transcript stop\n:transcript status\nRSET\nQUIT\n", home, smtp)
		r.must(t, 0, "* recording to "+file, "recording to "+file+"\n", "* transcript saved to "+file, "not recording (:transcript start FILE)")
		text, headers := sessions(t, file)
		if len(headers) != 1 || headers[0][1] != smtp {
			t.Fatalf("headers %q, want one for %s:\n%s", headers, smtp, text)
		}
		// Only what crossed the wire while recording.
		var lines []string
		for _, l := range strings.Split(text, "\n") {
			if _, rest, ok := strings.Cut(l, " C: "); ok {
				lines = append(lines, rest)
			}
		}
		if strings.Join(lines, ",") != "NOOP" {
			t.Errorf("client lines recorded: %q, want NOOP alone:\n%s", lines, text)
		}
	})

	t.Run("connect and append", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(dir, "two.txt")
		mailsh(t, "EHLO me\n:connect "+pop3+"\nUSER alice\nQUIT\n", home, "-t", file, smtp).must(t, 0)
		r := mailsh(t, "HELO again\nQUIT\n", home, "-t", file, smtp)
		r.must(t, 0, "* appending to the existing transcript "+file)
		text, headers := sessions(t, file)
		want := [][]string{{"1", smtp}, {"2", pop3}, {"3", smtp}}
		if len(headers) != len(want) {
			t.Fatalf("headers %q, want %q:\n%s", headers, want, text)
		}
		for i := range want {
			if headers[i][0] != want[i][0] || headers[i][1] != want[i][1] {
				t.Errorf("header %d: %q, want %q", i+1, headers[i], want[i])
			}
		}
		for _, l := range []string{" C: EHLO me\n", " C: USER alice\n", " C: HELO again\n"} {
			if !strings.Contains(text, l) {
				t.Errorf("transcript lacks %q:\n%s", l, text)
			}
		}
	})

	t.Run("--abbreviate", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(dir, "short.txt")
		mailsh(t, "HELO me\nMAIL FROM:<a@b>\nRCPT TO:<alice@localhost>\nDATA\nl1\nl2\nl3\nl4\nl5\n.\nQUIT\n", home,
			"-t", file, "--abbreviate", "2", smtp).must(t, 0, "S: 250 2.0.0 ")
		text, _ := sessions(t, file)
		var body []string
		for _, l := range strings.Split(text, "\n") {
			if _, rest, ok := strings.Cut(l, " C| "); ok {
				body = append(body, rest)
			} else if _, rest, ok := strings.Cut(l, " * ["); ok {
				body = append(body, "["+rest)
			}
		}
		want := []string{"l1", "l2", "[3 more lines of message text (12 octets) not recorded]"}
		if strings.Join(body, "|") != strings.Join(want, "|") {
			t.Errorf("message text recorded: %q, want %q:\n%s", body, want, text)
		}
	})
}

// transcript export keeps an existing output file unless --force.
func TestTranscriptExportKeepsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tr := filepath.Join(dir, "session.txt")
	os.WriteFile(tr, []byte("# mailsh transcript 1\n# session: 1\n# target: smtp://127.0.0.1:25\n# started: 2026-12-02T10:00:00.000Z\n\n10:00:00.000001 S: 220 hi\n10:00:00.000002 C: QUIT\n10:00:00.000003 S: 221 bye\n"), 0o600)
	out := filepath.Join(dir, "report.md")
	os.WriteFile(out, []byte("my notes\n"), 0o600)
	r := mailsh(t, "", nil, "transcript", "export", tr, "-o", out)
	r.must(t, 1, "mailsh: "+out+" exists; give --force to overwrite it")
	if b, _ := os.ReadFile(out); string(b) != "my notes\n" {
		t.Errorf("the existing file was changed: %q", b)
	}
	mailsh(t, "", nil, "transcript", "export", tr, "-o", out, "--force").must(t, 0, "mailsh: wrote "+out)
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "221 bye") {
		t.Errorf("--force did not write the export:\n%s", b)
	}
}
