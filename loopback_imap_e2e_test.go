package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

// IMAP with real clients: Python's imaplib (LOGIN in clear text from this
// machine, then STARTTLS, SELECT, FETCH, STORE, SEARCH, EXPUNGE) and curl
// (imap:// and imaps:// URLs), against mailsh serve. What they fetch is
// the Maildir file with CRLF line endings, octet for octet.
func TestLoopbackIMAPRealClients(t *testing.T) {
	t.Parallel()
	python := peertest.Need(t, "python3", "/usr/bin/python3")
	curl := peertest.Need(t, "curl")
	dir := t.TempDir()
	root := filepath.Join(dir, "Maildir")
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", root, "--user", "vmc:tanstaaf")
	sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: Teste\r\n\r\nTeste do mail\r\n.dot line\r\n"))
	sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: second\r\n\r\nmore\r\n"))
	files, _ := filepath.Glob(filepath.Join(root, "vmc", "new", "*"))
	if len(files) != 2 {
		t.Fatalf("%d files in new/, want 2", len(files))
	}
	var wire [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wire = append(wire, bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	}
	if bytes.Contains(wire[1], []byte("Teste do mail")) {
		wire[0], wire[1] = wire[1], wire[0]
	}
	host, port, _ := strings.Cut(s.imap, ":")
	_, sport, _ := strings.Cut(s.imaps, ":")

	script := `
import imaplib, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
m = imaplib.IMAP4(host, port)
typ, data = m.login("vmc", "tanstaaf")
assert typ == "OK", data
m.select("INBOX")
typ, data = m.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
assert typ == "OK", data
sys.stdout.buffer.write(data[0][1])
sys.stdout.buffer.write(b"\n--size " + data[0][0].split(b"RFC822.SIZE ")[1].split(b" ")[0] + b"\n")
m.store("2", "+FLAGS", "(\\Deleted \\Flagged)")
typ, data = m.search(None, "UNSEEN")
print("--unseen", data[0].decode())
typ, data = m.search(None, "SUBJECT", "Teste")
print("--subject", data[0].decode())
m.expunge()
m.logout()
t = imaplib.IMAP4(host, port)
t.starttls(ssl.create_default_context(cafile=cafile))
t.login("vmc", "tanstaaf")
typ, data = t.status("INBOX", "(MESSAGES UIDNEXT)")
print("--status", data[0].decode())
t.logout()
`
	cmd := exec.Command(python, "-c", script, host, port, s.certFile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	body, rest, _ := bytes.Cut(out, []byte("\n--size "))
	if !bytes.Equal(body, wire[0]) {
		t.Errorf("imaplib fetched %q, want %q", body, wire[0])
	}
	for _, want := range []string{strconv.Itoa(len(wire[0])) + "\n", "--unseen 1 2\n", "--subject 1\n", "--status INBOX (MESSAGES 1 UIDNEXT 3)"} {
		if !strings.Contains(string(rest), want) {
			t.Errorf("imaplib said %q, want %q", rest, want)
		}
	}
	flagged, _ := filepath.Glob(filepath.Join(root, "vmc", "cur", "*:2,*F*"))
	if len(flagged) != 0 {
		t.Errorf("the expunged message is still there: %v", flagged)
	}

	got, err := exec.Command(curl, "-sS", "--user", "vmc:tanstaaf", "imap://"+s.imap+"/INBOX;UID=1").Output()
	if err != nil {
		t.Fatalf("curl imap://: %v", err)
	}
	if !bytes.Equal(got, wire[0]) {
		t.Errorf("curl imap:// fetched %q, want %q", got, wire[0])
	}
	got, err = exec.Command(curl, "-sS", "--cacert", s.certFile, "--user", "vmc:tanstaaf", "imaps://localhost:"+sport+"/INBOX;UID=1").Output()
	if err != nil {
		t.Fatalf("curl imaps://: %v", err)
	}
	if !bytes.Equal(got, wire[0]) {
		t.Errorf("curl imaps:// fetched %q, want %q", got, wire[0])
	}
}
