package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

const corpusDir = "message/testdata/corpus/"

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestMsgCommands runs "mailsh msg" on the lecture's messages: plain text
// when standard output is not a terminal, the documented exit statuses.
func TestMsgCommands(t *testing.T) {
	t.Parallel()
	ppt := corpusDir + "lecture-ppt.eml"
	out := filepath.Join(t.TempDir(), "slides.ppt")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		has   []string
	}{
		{"help", "", []string{"msg", "--help"}, 0, []string{"mailsh msg save FILE PART OUT [--force]", "Exit status: 0 done"}},
		{"no command", "", []string{"msg"}, 2, []string{"Usage: mailsh msg"}},
		{"mime", "", []string{"msg", "mime", ppt}, 0, []string{"2       application/octet-stream            base64    8.8 KiB  \"SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt\""}},
		{"mime --sha256", "", []string{"msg", "mime", "--sha256", ppt}, 0, []string{"ca97d8f952bd0d1ecb197f0c55ff47254184a2e1f2d026d76bbfd9240f7a13ae"}},
		{"show", "", []string{"msg", "show", corpusDir + "alternative-latin1.eml"}, 0, []string{"Subject: Informação da aula\n", "a informação da aula de amanhã está no site."}},
		{"show from stdin", readString(t, corpusDir+"windows-1252.eml"), []string{"msg", "show", "-"}, 0, []string{"o preço é 10 € (“dez euros”)"}},
		{"hops", "", []string{"msg", "hops", corpusDir + "lecture-retr22.eml"}, 0, []string{"1  15m30s*  batatas [193.137.239.227]  mail.estg.iplei.pt  SMTP  no   2002-12-12 20:28:47Z  gBCKDHN4021921", "hop 1  #####", "total transit: 15m30s", "slowest hop: 1, batatas → mail.estg.iplei.pt, 15m30s"}},
		{"headers", "", []string{"msg", "headers", corpusDir + "lecture-sendmail.eml"}, 0, []string{"Return-Path: <ei07787@student.estg.iplei.pt>\n    where bounces go"}},
		{"save", "", []string{"msg", "save", ppt, "2", out}, 0, []string{"9000 bytes to " + out, "SHA-256 ca97d8f952bd0d1ecb197f0c55ff47254184a2e1f2d026d76bbfd9240f7a13ae"}},
		{"save again", "", []string{"msg", "save", ppt, "2", out}, 1, []string{"exists (use --force to overwrite it)"}},
		{"save forced", "", []string{"msg", "save", ppt, "2", out, "--force"}, 0, []string{"9000 bytes"}},
		{"save no part", "", []string{"msg", "save", ppt, "9", out + "2"}, 1, []string{"no part 9: the message has parts 1, 2"}},
		{"save usage", "", []string{"msg", "save", ppt, "2"}, 2, []string{"usage: mailsh msg save FILE PART OUT"}},
		{"broken", "", []string{"msg", "mime", corpusDir + "lecture-ppt-slide.eml"}, 0, []string{`no boundary line "--====_193484826==" found`}},
		{"garbage", "", []string{"msg", "show", corpusDir + "garbage.bin"}, 1, []string{"mailsh: not a message"}},
		{"missing file", "", []string{"msg", "hops", "/no/such.eml"}, 1, []string{"no such file"}},
		{"unknown command", "", []string{"msg", "explode"}, 2, []string{`unknown msg command "explode"`}},
		{"compose usage", "", []string{"msg", "compose", "--form", "a@example.org"}, 2, []string{"unknown flag --form"}},
		{"compose invalid", "", []string{"msg", "compose", "--from", "a@example.org", "--body", "x"}, 1, []string{"no recipient"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mailsh(t, tc.stdin, nil, tc.args...)
			r.must(t, tc.code, tc.has...)
			if strings.Contains(r.stdout, "\x1b[") {
				t.Errorf("colour in output that is not a terminal:\n%q", r.stdout)
			}
		})
	}
	if fileSHA(t, out) != fileSHA(t, corpusDir+"lecture-slides.ppt") {
		t.Error("saved attachment differs from the original")
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMsgColour: at a terminal field names are bold; NO_COLOR turns that
// off.
func TestMsgColour(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  []string
		bold bool
	}{{nil, true}, {[]string{"NO_COLOR=1"}, false}} {
		tt := startTTY(t, tc.env, "msg", "headers", corpusDir+"lecture-retr22.eml")
		if code := tt.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, tt.rawString())
		}
		raw := tt.rawString()
		if has := strings.Contains(raw, "\x1b[1mReturn-Path:\x1b["); has != tc.bold {
			t.Errorf("env %v: bold field names %v:\n%q", tc.env, has, raw)
		}
		if !tc.bold && strings.Contains(raw, "\x1b[") {
			t.Errorf("NO_COLOR: escape sequences in %q", raw)
		}
	}
}

// TestMsgComposeFromStdin: the body comes from standard input; the
// message goes to standard output; Bcc is noted on standard error.
func TestMsgComposeFromStdin(t *testing.T) {
	t.Parallel()
	r := mailsh(t, "Olá,\nmensagem de teste\n", nil, "msg", "compose", "--from", "batatas@quintal.net", "--to", "vmc@estg.iplei.pt", "--bcc", "x@example.org", "--subject", "teste")
	r.must(t, 0, "From: batatas@quintal.net\r\n", "To: vmc@estg.iplei.pt\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "\r\n\r\nOl=C3=A1,\r\nmensagem de teste\r\n", "Bcc recipients are not written in the message")
	if strings.Contains(r.stdout, "x@example.org") {
		t.Error("Bcc in the message")
	}
}

// attachments writes the two files of the end-to-end tests: the lecture's
// PowerPoint under its own awkward name, and 300 KB of random octets.
func attachments(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	ppt := filepath.Join(dir, "SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt")
	os.WriteFile(ppt, []byte(readString(t, corpusDir+"lecture-slides.ppt")), 0o600)
	bin := make([]byte, 300_000)
	rand.New(rand.NewSource(6)).Read(bin)
	data := filepath.Join(dir, "medições 2024.bin")
	os.WriteFile(data, bin, 0o600)
	return []string{ppt, data}
}

// composeLine is the :compose of the end-to-end tests.
func composeLine(files []string) string {
	return `:compose --from "Vitor Carreira <vmc@estg.iplei.pt>" --to vmc@estg.iplei.pt --subject "Ficheiro Powerpoint em anexo" --body "Segue em anexo o ficheiro." --attach "` + files[0] + `" --attach "` + files[1] + `"`
}

// retrieveAndSave logs in over POP3, retrieves message 1 and saves its
// two attachments with :save; the files must be identical to the
// originals.
func retrieveAndSave(t *testing.T, pop3 string, files []string) {
	t.Helper()
	dir := t.TempDir()
	out1, out2 := filepath.Join(dir, "slides.ppt"), filepath.Join(dir, "data.bin")
	r := mailsh(t, "USER vmc\nPASS tanstaaf\nRETR 1\n:mime\n:save 2 "+out1+"\n:save 3 "+out2+"\nQUIT\n", nil, "pop3://"+pop3)
	r.must(t, 0, "C: RETR 1", `"SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt"`, `"medições 2024.bin"`,
		"SHA-256 "+fileSHA(t, files[0]), "SHA-256 "+fileSHA(t, files[1]))
	for i, out := range []string{out1, out2} {
		if fileSHA(t, out) != fileSHA(t, files[i]) {
			t.Errorf("attachment %d differs from the original after SMTP, the store and POP3", i+1)
		}
	}
}

// TestComposeSendRetrieveSave is the end-to-end test: a message
// composed with two attachments, sent to the loopback server with
// :compose, retrieved over POP3, saves both attachments identical to the
// originals (checksums).
func TestComposeSendRetrieveSave(t *testing.T) {
	t.Parallel()
	files := attachments(t)
	srv := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--maildir", t.TempDir(), "--domain", "estg.iplei.pt", "--user", "vmc:tanstaaf", "-q")
	r := mailsh(t, "EHLO me\n"+composeLine(files)+"\nQUIT\n", nil, "smtp://"+srv.smtp)
	r.must(t, 0, "C: MAIL FROM:<vmc@estg.iplei.pt>", "C: RCPT TO:<vmc@estg.iplei.pt>", "C: DATA", "S: 354", "C: Subject: Ficheiro Powerpoint em anexo", "S: 250")
	retrieveAndSave(t, srv.pop3, files)
}

// TestComposeSendRetrieveSaveDovecot: the same through real servers'
// hands: the message as an SMTP server received it, delivered to a
// Maildir that Dovecot serves over POP3.
func TestComposeSendRetrieveSaveDovecot(t *testing.T) {
	t.Parallel()
	files := attachments(t)
	f := startFakeSMTP(t)
	r := mailsh(t, "EHLO me\n"+composeLine(files)+"\nQUIT\n", nil, "smtp://"+f.Addr)
	r.must(t, 0, "S: 250 2.0.0 queued")
	var msg bytes.Buffer
	f.mu.Lock()
	inData := false
	for _, l := range f.lines {
		switch {
		case !inData && l == "DATA":
			inData = true
		case inData && l == ".":
			inData = false
		case inData:
			msg.WriteString(strings.TrimPrefix(l, ".") + "\r\n") // RFC 5321 §4.5.2
		}
	}
	f.mu.Unlock()
	d := peertest.StartDovecot(t, "", map[string]string{"vmc": "tanstaaf"})
	d.Deliver(t, "vmc", "1700000000.M1P1.mailsh", msg.Bytes())
	retrieveAndSave(t, d.Addr, files)
}

// TestShellHopsAtTerminal: in the interactive shell :hops draws its bars
// in blocks and :headers puts field names in bold.
func TestShellHopsAtTerminal(t *testing.T) {
	t.Parallel()
	f := startFakeSMTP(t)
	abs, err := filepath.Abs(corpusDir + "lecture-retr22.eml")
	if err != nil {
		t.Fatal(err)
	}
	tt := startTTY(t, nil, "smtp://"+f.Addr)
	tt.waitFor("220 fake.example")
	tt.send(":hops " + abs + "\r")
	tt.waitFor("slowest hop: 1, batatas → mail.estg.iplei.pt, 15m30s")
	if !strings.Contains(tt.screen(), "hop 1  ████") {
		t.Errorf("no bar of blocks:\n%s", tt.screen())
	}
	tt.send(":headers " + abs + "\r")
	tt.waitFor("the verdict of the MailScanner virus scanner")
	if !strings.Contains(tt.rawString(), "\x1b[1mX-MailScanner:") {
		t.Errorf("field names not bold:\n%q", tt.rawString())
	}
	tt.send(":quit\r")
	tt.wait()
}
