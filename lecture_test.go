package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The lecture's second POP3 message, the one its slide retrieves with
// RETR 22.
const batatas = "Date: Thu, 12 Dec 2002 20:13:17 GMT\nFrom: batatas@quintal.net\nSubject: teste\n\nOla,\n\nmensagem de teste\n"

// TestLectureOnLoopback types every session of the lecture, as the
// slides show it (lower case, no angle brackets, PASS on a line of its
// own), into the shell at a terminal, against the built-in server serving
// the lecture's domain and users. Both sessions are recorded; the
// transcript and its three exports are compared with golden files
// (timestamps, ids and dates normalised). Then the transcript is replayed:
// against the same server it passes; against one with a fault it fails and
// names the step.
func TestLectureOnLoopback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	maildir := filepath.Join(dir, "Maildir")
	srv := startServe(t, nil, "-q", "--maildir", maildir, "--domain", "ipleiria.pt", "--user", "antunes:segredo", "--user", "vmc:tanstaaf")

	// vmc's mailbox holds 22 messages, as on the slide; the 22nd is the
	// one the slide retrieves.
	var fill strings.Builder
	fill.WriteString("EHLO prep\n")
	for i := 1; i <= 22; i++ {
		body := fmt.Sprintf("Subject: message %d\n\nfiller\n", i)
		if i == 22 {
			body = batatas
		}
		fmt.Fprintf(&fill, "MAIL FROM:<batatas@quintal.net>\nRCPT TO:<vmc@ipleiria.pt>\nDATA\n%s.\n", body)
	}
	fill.WriteString("QUIT\n")
	mailsh(t, fill.String(), nil, "-e", "smtp://"+srv.smtp).must(t, 0)

	tr := filepath.Join(dir, "lecture.txt")
	state := filepath.Join(dir, "state")
	env := []string{"XDG_STATE_HOME=" + state}

	// "SMTP: Outro exemplo de envio".
	tt := startTTY(t, env, "-t", tr, "smtp://"+srv.smtp)
	tt.waitPrompt("helo>")
	for _, step := range []struct{ typed, prompt string }{
		{"helo mail", "mail>"},
		{"mail from: antunes@ipleiria.pt", "rcpt>"},
		{"rcpt to: antunes@ipleiria.pt", "rcpt/data>"},
		{"data", "data>"},
		{"Teste do mail", "data>"},
		{".", "mail>"},
	} {
		tt.send(step.typed + "\r")
		tt.waitPrompt(step.prompt)
	}
	tt.send("quit\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("SMTP session: exit status %d\n%s", code, tt.screen())
	}
	for _, want := range []string{"250 ipleiria.pt Hello mail", "250 2.1.0", "250 2.1.5", "354 ", "250 2.0.0", "221 2.0.0"} {
		if !strings.Contains(tt.screen(), want) {
			t.Errorf("SMTP screen lacks %q:\n%s", want, tt.screen())
		}
	}

	// "Protocolo POP3: Autenticação" and "Transacções": USER, PASS (the
	// password typed without echo), STAT, LIST 22, RETR 22.
	tt = startTTY(t, env, "-t", tr, "localhost", strings.TrimPrefix(srv.pop3, "127.0.0.1:"))
	tt.waitPrompt("auth>")
	tt.send("USER vmc\r")
	tt.waitPrompt("pass>")
	tt.send("PASS\r")
	tt.waitFor("password")
	tt.send("tanstaaf\r")
	tt.waitPrompt("trans>")
	for _, cmd := range []string{"STAT", "LIST 22", "RETR 22"} {
		tt.send(cmd + "\r")
		tt.waitPrompt("trans>")
	}
	tt.send("QUIT\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("POP3 session: exit status %d\n%s", code, tt.screen())
	}
	screen := tt.screen()
	for _, want := range []string{"+OK Logged in as vmc: 22 messages", "+OK 22 ", "From: batatas@quintal.net", "mensagem de teste"} {
		if !strings.Contains(screen, want) {
			t.Errorf("POP3 screen lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "tanstaaf") {
		t.Error("password on screen")
	}

	// The transcript and its exports, normalised, against golden files.
	raw, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	norm := normalise(string(raw), srv)
	goldenFile(t, "lecture-loopback.txt", norm)
	normFile := filepath.Join(dir, "normalised.txt")
	os.WriteFile(normFile, []byte(norm), 0o644)
	for _, f := range []string{"md", "html", "json"} {
		r := mailsh(t, "", nil, "transcript", "export", normFile, "--format", f)
		r.must(t, 0)
		goldenFile(t, "lecture-loopback."+f, r.stdout)
	}

	// Replayed against the same server, every step matches.
	r := mailsh(t, "", []string{"MAILSH_PASSWORD=tanstaaf"}, "replay", tr)
	r.must(t, 0, "replay: all", "ok", "RETR 22")
	// Against a server that refuses recipients, the replay fails and
	// names the step.
	faulty := startServe(t, nil, "-q", "--maildir", maildir, "--domain", "ipleiria.pt", "--user", "antunes:segredo", "--user", "vmc:tanstaaf", "--fault", "rcpt:451")
	r = mailsh(t, "", []string{"MAILSH_PASSWORD=tanstaaf"}, "replay", tr, "smtp://"+faulty.smtp, "pop3://"+faulty.pop3)
	r.must(t, 1, "FAIL", "rcpt to: antunes@ipleiria.pt", "- 250 2.1.5", "+ 451", "differ (first: step 4, rcpt to: antunes@ipleiria.pt)")
}

var normalisers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{6} `), "00:00:00.000000 "},
	{regexp.MustCompile(`(?m)^# started: .*$`), "# started: 2002-11-13T02:20:01.000Z"},
	{regexp.MustCompile(`(?m)^# version: .*$`), "# version: VERSION"},
	{regexp.MustCompile(`(127\.0\.0\.1|localhost):\d+`), "$1:PORT"},
	{regexp.MustCompile(`\b[0-9A-F]{16}\b`), "QUEUEID"},
	{regexp.MustCompile(`<\d+\.\d+@ipleiria\.pt>`), "<TIMESTAMP@ipleiria.pt>"},
	{regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\d+ \w+ \d{4} \d\d:\d\d:\d\d [+-]\d{4}`), "DATE"},
	{regexp.MustCompile(`\d+ octets`), "SIZE octets"},
	{regexp.MustCompile(`(?m)(S: \+OK \d+) \d+$`), "$1 SIZE"},
	{regexp.MustCompile(`(?m)^(00:00:00\.000000 S\| \d+) \d+$`), "$1 SIZE"},
}

// normalise replaces what changes from run to run.
func normalise(s string, srv *served) string {
	for _, n := range normalisers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// The lecture's other greeting: "554 if the connection was rejected; the
// client should then send QUIT". The prompt says so, TAB offers only QUIT,
// and the reply is explained.
func TestLecture554(t *testing.T) {
	t.Parallel()
	srv := startServe(t, nil, "-q", "--maildir", t.TempDir(), "--fault", "connect:554")
	tt := startTTY(t, nil, "smtp://"+srv.smtp)
	tt.waitPrompt("rejected>")
	tt.waitFor("554 5.3.2")
	tt.waitFor("transaction failed (at connect: no SMTP service here)")
	tt.send("\t")
	tt.waitPrompt("rejected> QUIT")
	tt.send("\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d\n%s", code, tt.screen())
	}
}

// DATA mode at a terminal dot-stuffs a pasted line ".hidden": the server
// receives "..hidden" and stores ".hidden". And :data --bdat sends a file
// in chunks of the size asked for, which arrives whole.
func TestDataModeStoresWhatWasTyped(t *testing.T) {
	t.Parallel()
	maildir := t.TempDir()
	srv := startServe(t, nil, "--maildir", maildir, "--user", "demo:pw")
	tr := filepath.Join(t.TempDir(), "wire.txt")
	tt := startTTY(t, nil, "-t", tr, "smtp://"+srv.smtp)
	tt.waitPrompt("helo>")
	tt.send("EHLO me\rMAIL FROM:<a@localhost>\rRCPT TO:<demo@localhost>\rDATA\r")
	tt.waitPrompt("data>")
	tt.send("Subject: pasted\r\r.hidden\rafter\r.\r")
	tt.waitPrompt("mail>")
	file := filepath.Join(t.TempDir(), "chunked.eml")
	os.WriteFile(file, []byte("Subject: chunked\n\n"+strings.Repeat("0123456789\n", 30)), 0o644)
	tt.send("MAIL FROM:<a@localhost>\rRCPT TO:<demo@localhost>\r:data " + file + " --bdat --chunk 100\r")
	tt.waitFor("sent " + file)
	tt.waitPrompt("mail>")
	tt.send("QUIT\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d\n%s", code, tt.screen())
	}
	wire, _ := os.ReadFile(tr)
	if !strings.Contains(string(wire), "C| ..hidden\n") {
		t.Errorf("the wire did not carry \"..hidden\":\n%s", wire)
	}
	// 348 octets with LF endings are 380 with CRLF: three chunks of 100
	// (101 where a CRLF straddles the limit) and the rest.
	for _, n := range []string{"C: BDAT 100\n", "C: BDAT 80 LAST\n"} {
		if !strings.Contains(string(wire), n) {
			t.Errorf("the wire lacks %q:\n%s", n, wire)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(maildir, "demo", "new"))
	var stored []string
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(maildir, "demo", "new", e.Name()))
		stored = append(stored, string(b))
	}
	all := strings.Join(stored, "\n----\n")
	if len(stored) != 2 || !strings.Contains(all, "\n.hidden\nafter\n") || strings.Contains(all, "..hidden") {
		t.Fatalf("stored:\n%s", all)
	}
	if !strings.Contains(all, "Subject: chunked\n") || !strings.Contains(all, strings.Repeat("0123456789\n", 30)) {
		t.Fatalf("the chunked message did not arrive whole:\n%s", all)
	}
}

func TestRawDisplay(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	mailsh(t, ":raw on\nEHLO me\n:raw off\nNOOP\nQUIT\n", nil, "smtp://"+srv.Addr).
		must(t, 0, `C: EHLO me\r\n`, `S: 250 8BITMIME\r\n`, "C: NOOP\n")
}
