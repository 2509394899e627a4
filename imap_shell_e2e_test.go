package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// attachmentMessage is a multipart message with a binary attachment, for
// :mime and :save on what FETCH BODY[] returned.
func attachmentMessage(payload []byte) string {
	b64 := base64.StdEncoding.EncodeToString(payload)
	return "From: antunes@ipleiria.pt\r\nTo: vmc@localhost\r\nSubject: slides\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nthe slides, attached\r\n" +
		"--b1\r\nContent-Type: application/octet-stream; name=\"slides.bin\"\r\n" +
		"Content-Disposition: attachment; filename=\"slides.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64 + "\r\n--b1--\r\n"
}

// IMAP in script mode against mailsh serve: tags given and shown, the
// STARTTLS upgrade with the server's certificate checked, LOGIN with the
// password from the environment and never printed, a literal typed by
// hand and one with LITERAL+, :append of a file, FETCH BODY[] read by
// count, then :mime and :save of its attachment, STORE, SEARCH, IDLE
// ended by DONE, :show N fetching a message itself, LOGOUT; the transcript keeps the tags, hides the
// password, exports with each command paired with its tagged completion,
// and replays step for step.
func TestIMAPScriptSession(t *testing.T) {
	t.Parallel()
	const pw = "Imap-script-9xQ"
	dir := t.TempDir()
	root := filepath.Join(dir, "Maildir")
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", root, "--user", "vmc:"+pw)
	payload := []byte("\x00\x01binary\r\n.\r\nslides\xff")
	sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader(attachmentMessage(payload)))

	file := filepath.Join(dir, "note.eml")
	if err := os.WriteFile(file, []byte("Subject: appended\n\n.\nthree lines\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(dir, "saved.bin")
	tr := filepath.Join(dir, "imap.txt")
	env := append(isolatedHome(t), "MAILSH_PASSWORD="+pw)
	script := strings.Join([]string{
		"LOGIN vmc",
		`LIST "" "*"`,
		"SELECT INBOX",
		":state",
		"FETCH 1 (FLAGS BODY[])",
		":mime",
		":save 2 " + saved,
		"x1 STORE 1 +FLAGS (\\Seen)",
		"APPEND INBOX {13}",
		"Subj: x",
		"",
		"hi",
		"APPEND INBOX {4+}",
		"abcd",
		":append INBOX " + file + " Flagged",
		"SEARCH SUBJECT appended",
		"IDLE",
		"DONE",
		":show 1",
		"LOGOUT",
	}, "\n") + "\n"
	r := mailsh(t, script, env, "-t", tr, "--starttls", "--cafile", s.certFile, "imap://"+s.imap)
	r.must(t, 0,
		"C: a1 STARTTLS", "* TLS started",
		"C: a2 LOGIN vmc [redacted]", "S: a2 OK",
		"S: * LIST (\\HasNoChildren) \".\" INBOX",
		"S: * 1 EXISTS", "S: a4 OK [READ-WRITE]",
		"selected: INBOX (read-write)", "mailboxes: INBOX", "  IDLE", "messages: 1",
		"BODY[] {", "S: the slides, attached", "S: a5 OK",
		"slides.bin",
		"C: x1 STORE 1 +FLAGS (\\Seen)", "S: x1 OK",
		"C: a6 APPEND INBOX {13}", "S: + ", "S: a6 OK [APPENDUID",
		"C: a7 APPEND INBOX {4+}", "S: a7 OK [APPENDUID",
		"C: a8 APPEND INBOX (\\Flagged) {", "S: a8 OK [APPENDUID", "appended "+file,
		"S: * SEARCH 4", "S: a9 OK",
		"C: a10 IDLE", "S: + idling", "C: DONE", "S: a10 OK",
		"C: a11 FETCH 1 BODY.PEEK[]", "lines of message text; shown decoded below", "Subject: slides",
		"S: * BYE", "S: a12 OK")
	if strings.Contains(r.stdout+r.stderr, pw) {
		t.Errorf("the password was printed:\n%s", r.stdout)
	}
	got, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(payload) {
		t.Errorf(":save wrote %q, want %q", got, payload)
	}
	// The file appended arrived with CRLF line endings, its dot line
	// as it is.
	msgs, _ := filepath.Glob(filepath.Join(root, "vmc", "cur", "*F*"))
	if len(msgs) != 1 {
		t.Fatalf("%d flagged messages in cur/, want the one appended", len(msgs))
	}
	if b, _ := os.ReadFile(msgs[0]); !strings.Contains(string(b), "Subject: appended\n\n.\nthree lines\n") {
		t.Errorf("appended message stored as %q", b)
	}

	// The transcript: tags kept, password out, literal lines as body.
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	rec := string(b)
	for _, want := range []string{"C: a2 LOGIN vmc [redacted]", "C| Subj: x", "C: x1 STORE", "S: a10 OK"} {
		if !strings.Contains(rec, want) {
			t.Errorf("transcript lacks %q:\n%s", want, rec)
		}
	}
	if strings.Contains(rec, pw) {
		t.Error("the password is in the transcript")
	}
	// The export pairs each command with its tagged completion, not with
	// the untagged data before it.
	md := mailsh(t, "", nil, "transcript", "export", "--format", "md", tr)
	md.must(t, 0, "| `a4 SELECT INBOX` | `a4 OK [READ-WRITE] SELECT completed` |",
		"`a6 APPEND INBOX {13}` (with 2 lines of literal)", "| `a10 IDLE` | `a10 OK IDLE completed` |")
	// Replayed against the same server, with fresh tags, step for step.
	rp := mailsh(t, "", append(isolatedHome(t), "MAILSH_PASSWORD="+pw), "replay", "--cafile", s.certFile, tr)
	rp.must(t, 0, "all ", "steps match")
}
