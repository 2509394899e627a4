package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/internal/peertest"
)

// attachmentBytes is an attachment with every octet value in it, so that
// a decoding that loses or changes one shows.
func attachmentBytes() []byte {
	b := make([]byte, 0, 3*256+64)
	for i := 0; i < 3; i++ {
		for c := 0; c < 256; c++ {
			b = append(b, byte(c))
		}
	}
	return append(b, "\r\n.\n..\nend of the attachment\n"...)
}

// multipartMessage is a message with a text part and an attachment
// (application/octet-stream, base64 in lines of 76), LF line endings.
func multipartMessage(from, to, subject, filename string, attachment []byte) string {
	enc := base64.StdEncoding.EncodeToString(attachment)
	var lines []string
	for len(enc) > 76 {
		lines = append(lines, enc[:76])
		enc = enc[76:]
	}
	lines = append(lines, enc)
	return fmt.Sprintf(`From: %s
To: %s
Subject: %s
Date: Thu, 12 Dec 2002 20:13:17 GMT
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=-fronteira-="

This is a multi-part message in MIME format.

--=-fronteira-=
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Ola,

segue o ficheiro em anexo.
--=-fronteira-=
Content-Type: application/octet-stream; name="%[4]s"
Content-Disposition: attachment; filename="%[4]s"
Content-Transfer-Encoding: base64

%[5]s
--=-fronteira-=--
`, from, to, subject, filename, strings.Join(lines, "\n"))
}

// noPassword fails the test if the password appears in what mailsh
// printed.
func noPassword(t *testing.T, r result, password string) {
	t.Helper()
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Errorf("the password %q was printed:\nstdout:\n%s\nstderr:\n%s", password, r.stdout, r.stderr)
	}
}

// sameFile fails the test unless file holds want, octet for octet.
func sameFile(t *testing.T, file string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("the saved attachment: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the saved attachment is %d octets, not the %d delivered (or differs from them)", len(got), len(want))
	}
}

// taggedLine returns the server's line that completes the command with
// tag, or "".
func taggedLine(stdout, tag string) string {
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "S: "+tag+" ") {
			return l
		}
	}
	return ""
}

// Dovecot's IMAP server, driven by mailsh in script mode as a student
// would type at it: STARTTLS with the certificate checked, LOGIN and
// AUTHENTICATE with the password from the environment and never shown,
// the mailbox commands of a session (CREATE, LIST, SELECT, FETCH, STORE,
// SEARCH, APPEND, MOVE, EXPUNGE, LOGOUT), IDLE seeing a delivery, a
// refused password, and :mime and :save on a message with an attachment.
// Each subtest has a user (a mailbox) of its own, so that they run side
// by side against one Dovecot.
func TestRealIMAPServer(t *testing.T) {
	t.Parallel()
	users := map[string]string{"vmc": "tanstaaf", "antunes": "segredo", "batatas": "quintal", "login": "tanstaaf"}
	d := peertest.StartDovecotIMAP(t, "", users)
	att := attachmentBytes()
	multipart := multipartMessage("antunes@ipleiria.pt", "vmc@quintal.net", "anexo", "dados.bin", att)
	d.Deliver(t, "vmc", "1.msg", []byte(lectureMessage))
	d.Deliver(t, "vmc", "2.msg", []byte(multipart))
	d.Deliver(t, "vmc", "3.msg", []byte("From: batatas@quintal.net\nSubject: terceira\n\nmais uma\n"))
	d.Deliver(t, "antunes", "1.msg", []byte(multipart))
	d.Deliver(t, "batatas", "1.msg", []byte(lectureMessage))
	starttls := []string{"--starttls", "--cafile", d.Cert.CAFile, "imap://" + d.IMAPAddr}
	env := func(password string) []string {
		return append(isolatedHome(t), "MAILSH_PASSWORD="+password)
	}

	t.Run("starttls login", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "LOGIN login\nNOOP\nLOGOUT\n", env("tanstaaf"), starttls...)
		r.must(t, 0, "S: * OK [CAPABILITY IMAP4rev1", " STARTTLS ", "C: a1 STARTTLS", "S: a1 OK ",
			"* TLS started: TLS 1.3", "cert CN=localhost",
			"C: a2 LOGIN login [redacted]", "S: a2 OK [CAPABILITY IMAP4rev1 ", "] Logged in",
			"C: a3 NOOP", "S: a3 OK", "C: a4 LOGOUT", "S: * BYE Logging out", "S: a4 OK Logout completed")
		noPassword(t, r, "tanstaaf")
		// The certificate is checked: without the test CA it is refused,
		// and nothing is sent after STARTTLS.
		r = mailsh(t, "LOGIN login\nLOGOUT\n", env("tanstaaf"), "--starttls", "imap://"+d.IMAPAddr)
		r.must(t, 1, "C: a1 STARTTLS", "certificate")
		if strings.Contains(r.stdout, "C: a2") {
			t.Errorf("went on after a certificate that does not verify:\n%s", r.stdout)
		}
		noPassword(t, r, "tanstaaf")
	})

	t.Run("starttls authenticate plain", func(t *testing.T) {
		t.Parallel()
		// Right after STARTTLS the capabilities are not known (those of
		// the greeting no longer count): no SASL-IR, the initial response
		// goes after the server's "+".
		r := mailsh(t, ":auth PLAIN login\nLOGOUT\n", env("tanstaaf"), starttls...)
		r.must(t, 0, "* TLS started", "C: a2 AUTHENTICATE PLAIN\n", "S: + \n", "C: [redacted]\n",
			"S: a2 OK [CAPABILITY IMAP4rev1 ", "] Logged in", "S: * BYE")
		noPassword(t, r, "tanstaaf")
		// After CAPABILITY lists SASL-IR, the initial response goes with
		// the command.
		r = mailsh(t, "CAPABILITY\n:auth PLAIN login\nLOGOUT\n", env("tanstaaf"), starttls...)
		r.must(t, 0, "S: * CAPABILITY IMAP4rev1 SASL-IR ", "C: a3 AUTHENTICATE PLAIN [redacted user=login]",
			"S: a3 OK [CAPABILITY IMAP4rev1 ", "] Logged in", "S: * BYE")
		if strings.Contains(r.stdout, "S: + ") {
			t.Errorf("waited for a \"+\" although the server offers SASL-IR:\n%s", r.stdout)
		}
		noPassword(t, r, "tanstaaf")
	})

	t.Run("imaps authenticate plain", func(t *testing.T) {
		t.Parallel()
		// Implicit TLS, the certificate checked; the greeting lists
		// SASL-IR, so the initial response goes with the command.
		r := mailsh(t, ":auth PLAIN login\nLOGOUT\n", env("tanstaaf"), "--cafile", d.Cert.CAFile, "imaps://"+d.IMAPSAddr)
		r.must(t, 0, "* TLS started: TLS 1.3", "S: * OK [CAPABILITY IMAP4rev1 ", "C: a1 AUTHENTICATE PLAIN [redacted user=login]",
			"S: a1 OK [CAPABILITY IMAP4rev1 ", "] Logged in", "S: * BYE")
		noPassword(t, r, "tanstaaf")
		r = mailsh(t, "LOGOUT\n", env("tanstaaf"), "imaps://"+d.IMAPSAddr)
		r.must(t, 1, "certificate signed by unknown authority")
	})

	t.Run("session", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "rascunho.eml")
		os.WriteFile(file, []byte("From: vmc@quintal.net\nTo: antunes@ipleiria.pt\nSubject: rascunho\n\nEscrito no ficheiro.\n"), 0o644)
		script := strings.Join([]string{
			`LOGIN vmc`,
			`CREATE Arquivo`,
			`LIST "" "*"`,
			`SELECT INBOX`,
			`FETCH 1:* (FLAGS RFC822.SIZE)`,
			`FETCH 1 BODY[]`,
			`STORE 2 +FLAGS (\Seen)`,
			`SEARCH UNSEEN`,
			`SEARCH FROM antunes`,
			`:append INBOX ` + file + ` Seen`,
			`FETCH 4 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])`,
			`MOVE 3 Arquivo`,
			`STORE 1 +FLAGS (\Deleted)`,
			`EXPUNGE`,
			`SEARCH ALL`,
			`STATUS Arquivo (MESSAGES)`,
			`LOGOUT`,
		}, "\n") + "\n"
		r := mailsh(t, script, env("tanstaaf"), starttls...)
		r.must(t, 0,
			"C: a2 LOGIN vmc [redacted]",
			"C: a3 CREATE Arquivo", "S: a3 OK Create completed",
			// Dovecot's Maildir++ folders, as it names them.
			`S: * LIST (\HasNoChildren) "." Arquivo`, `S: * LIST (\HasNoChildren) "." INBOX`, "S: a4 OK List completed",
			"S: * 3 EXISTS", "S: * OK [UIDVALIDITY ", "S: a5 OK [READ-WRITE] Select completed",
			fmt.Sprintf("RFC822.SIZE %d)", len(lectureMessage)), "S: a6 OK Fetch completed",
			// The literal, read by count and shown line by line; the
			// dot lines are the message's, not a POP3 terminator.
			fmt.Sprintf(" BODY[] {%d}\nS: Return-Path: <batatas@quintal.net>\n", len(lectureMessage)),
			"S: Ola,\nS: .\nS: ..two\nS: mensagem de teste\nS: )\nS: a7 OK Fetch completed",
			`S: * 2 FETCH (FLAGS (\Seen`, "S: a8 OK Store completed",
			"C: a9 SEARCH UNSEEN\nS: * SEARCH 3\nS: a9 OK",
			"C: a10 SEARCH FROM antunes\nS: * SEARCH 2\nS: a10 OK",
			`C: a11 APPEND INBOX (\Seen) {`, "S: * 4 EXISTS", "S: a11 OK [APPENDUID ", "* appended "+file+" to INBOX",
			`S: * 4 FETCH (FLAGS (\Seen`, "S: Subject: rascunho", "S: a12 OK Fetch completed",
			"C: a13 MOVE 3 Arquivo", "S: * OK [COPYUID ", "S: * 3 EXPUNGE", "S: a13 OK Move completed",
			`S: * 1 FETCH (FLAGS (\Deleted \Seen`, "S: a14 OK Store completed",
			"C: a15 EXPUNGE\nS: * 1 EXPUNGE\n", "S: a15 OK Expunge completed",
			"C: a16 SEARCH ALL\nS: * SEARCH 1 2\nS: a16 OK",
			"S: * STATUS Arquivo (MESSAGES 1)",
			"C: a18 LOGOUT", "S: * BYE Logging out", "S: a18 OK Logout completed", "* connection closed")
		noPassword(t, r, "tanstaaf")
		// MOVE is Dovecot's (RFC 6851), advertised once logged in.
		if ok := taggedLine(r.stdout, "a2"); !strings.Contains(ok+" ", " MOVE ") {
			t.Errorf("LOGIN's reply does not advertise MOVE: %q", ok)
		}
		// On disk: INBOX keeps the multipart message and the appended one,
		// Arquivo the moved one.
		inbox := maildirMessages(t, filepath.Join(d.MailRoot, "vmc"))
		arquivo := maildirMessages(t, filepath.Join(d.MailRoot, "vmc", ".Arquivo"))
		if _, ok := inbox["anexo"]; !ok || len(inbox) != 2 || inbox["rascunho"].info != "S" {
			t.Errorf("INBOX holds %v, want anexo and rascunho (flag S)", inbox)
		}
		if _, ok := arquivo["terceira"]; !ok || len(arquivo) != 1 {
			t.Errorf("Arquivo holds %v, want terceira", arquivo)
		}
	})

	t.Run("idle sees a delivery", func(t *testing.T) {
		t.Parallel()
		m := startLiveMailsh(t, env("quintal"), starttls...)
		m.send("LOGIN batatas", "SELECT INBOX")
		m.waitFor("S: a3 OK [READ-WRITE] Select completed")
		m.send("IDLE")
		m.waitFor("S: + idling")
		// Delivered while mailsh waits for its next line: Dovecot sees
		// the new file (inotify) and says so at once.
		d.Deliver(t, "batatas", "2.msg", []byte("From: antunes@ipleiria.pt\nSubject: durante o IDLE\n\nchegou agora\n"))
		m.waitFor("S: * 2 EXISTS")
		m.send("DONE", "FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])", "LOGOUT")
		r := m.end()
		r.must(t, 0, "C: a4 IDLE\nS: + idling\n", "S: * 2 EXISTS", "C: DONE", "S: a4 OK Idle completed",
			"S: Subject: durante o IDLE", "S: a5 OK Fetch completed", "S: * BYE")
		noPassword(t, r, "quintal")
	})

	t.Run("imaps at the STARTTLS port", func(t *testing.T) {
		t.Parallel()
		// Implicit TLS where the server answers in clear text: the hint
		// must name this protocol's STARTTLS form.
		r := mailsh(t, "LOGIN login\nLOGOUT\n", env("tanstaaf"), "--cafile", d.Cert.CAFile, "imaps://"+d.IMAPAddr)
		r.must(t, 1, "the server does not speak TLS here", "imap:// with --starttls")
		if strings.Contains(r.stderr, "smtp://") || strings.Contains(r.stderr, "pop3://") {
			t.Errorf("the hint names another protocol:\n%s", r.stderr)
		}
		noPassword(t, r, "tanstaaf")
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		// A Dovecot of its own: after a failure, Dovecot delays the next
		// logins from the address (auth_penalty), which would slow the
		// other subtests.
		d := peertest.StartDovecotIMAP(t, "", map[string]string{"vmc": "tanstaaf"})
		r := mailsh(t, "LOGIN vmc\nSELECT INBOX\nLOGOUT\n", env("errado"), "-e", "--starttls", "--cafile", d.Cert.CAFile, "imap://"+d.IMAPAddr)
		r.must(t, 1, "C: a2 LOGIN vmc [redacted]", "S: a2 NO [AUTHENTICATIONFAILED] Authentication failed.",
			`mailsh: stopped at "a2 NO [AUTHENTICATIONFAILED] Authentication failed." (--errexit)`)
		if strings.Contains(r.stdout, "C: a3 SELECT") {
			t.Errorf("went on after the refusal:\n%s", r.stdout)
		}
		noPassword(t, r, "errado")
	})

	t.Run("mime and save", func(t *testing.T) {
		t.Parallel()
		out := filepath.Join(t.TempDir(), "dados.bin")
		r := mailsh(t, "LOGIN antunes\nSELECT INBOX\nFETCH 1 BODY[]\n:mime\n:save 2 "+out+"\nLOGOUT\n", env("segredo"), starttls...)
		r.must(t, 0, "S: a4 OK Fetch completed",
			"multipart/mixed", "2 parts",
			"text/plain", "utf-8", "8bit",
			"application/octet-stream", "base64", fmt.Sprintf("%d B", len(att)), `"dados.bin"`,
			fmt.Sprintf(`* saved part 2 ("dados.bin"), application/octet-stream: %d bytes to %s`, len(att), out),
			"S: * BYE")
		sameFile(t, out, att)
	})
}

// The lecture's cycle through real servers: mailsh sends a message with
// an attachment over SMTP to Postfix, whose virtual agent delivers it
// into vmc's Maildir; mailsh then reads it from Dovecot over IMAP (FETCH
// of BODY[] marks it \Seen; the STORE asks for it again), shows its MIME
// tree and saves the attachment (octet for octet what was sent); Dovecot
// records \Seen in the file's name (":2,S").
func TestLectureIMAPPostfixDovecot(t *testing.T) {
	t.Parallel()
	d := peertest.StartDovecotIMAP(t, "", map[string]string{"vmc": "tanstaaf"})
	pf := peertest.StartPostfixDelivering(t, d, "quintal.net", "vmc")
	att := attachmentBytes()
	msg := multipartMessage("antunes@ipleiria.pt", "vmc@quintal.net", "o ficheiro", "dados.bin", att)

	smtp := "EHLO mail\nMAIL FROM:<antunes@ipleiria.pt>\nRCPT TO:<vmc@quintal.net>\nDATA\n" + msg + ".\nQUIT\n"
	r := mailsh(t, smtp, isolatedHome(t), "-e", "smtp://"+pf.Addr)
	r.must(t, 0, "S: 220 postfix.test ESMTP", "S: 250 2.1.5 Ok", "S: 354 ", "S: 250 2.0.0 Ok: queued as ", "S: 221 2.0.0 Bye")

	maildir := filepath.Join(d.MailRoot, "vmc")
	deadline := time.Now().Add(20 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
		if len(files) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix delivered nothing into %s/new in 20s; its log:\n%s", maildir, pf.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}

	out := filepath.Join(t.TempDir(), "dados.bin")
	script := "LOGIN vmc\nSELECT INBOX\nFETCH 1 BODY[]\n:mime\n:save 2 " + out + "\nSTORE 1 +FLAGS (\\Seen)\nLOGOUT\n"
	r = mailsh(t, script, append(isolatedHome(t), "MAILSH_PASSWORD=tanstaaf"), "-e", "--starttls", "--cafile", d.Cert.CAFile, "imap://"+d.IMAPAddr)
	r.must(t, 0, "C: a2 LOGIN vmc [redacted]", "S: * 1 EXISTS",
		// What Postfix's virtual agent added on delivery.
		"S: Delivered-To: vmc@quintal.net", "S: Received: from mail (localhost [127.0.0.1])", "by postfix.test (Postfix)",
		"S: Subject: o ficheiro", "S: segue o ficheiro em anexo.", "S: a4 OK Fetch completed",
		"multipart/mixed", "application/octet-stream", `"dados.bin"`,
		fmt.Sprintf(`* saved part 2 ("dados.bin"), application/octet-stream: %d bytes to %s`, len(att), out),
		`S: * 1 FETCH (FLAGS (\Seen`, "S: a5 OK Store completed", "S: * BYE", "S: a6 OK Logout completed")
	noPassword(t, r, "tanstaaf")
	sameFile(t, out, att)

	cur, _ := filepath.Glob(filepath.Join(maildir, "cur", "*"))
	news, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
	if len(cur) != 1 || len(news) != 0 || !strings.HasSuffix(cur[0], ":2,S") {
		t.Errorf("the Maildir holds new/ %v and cur/ %v, want one file in cur/ named …:2,S", news, cur)
	}
}

// liveMailsh is mailsh in script mode fed through a pipe, for a test that
// acts between the lines it sends (IDLE, then a delivery, then DONE).
type liveMailsh struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *notifyBuffer
	stderr bytes.Buffer
	exited chan struct{}
}

// notifyBuffer collects output and wakes a waiter at each write.
type notifyBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (n *notifyBuffer) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.b.Write(p)
	select {
	case n.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (n *notifyBuffer) String() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.b.String()
}

// liveWait bounds each wait for mailsh's output or exit.
const liveWait = 20 * time.Second

func startLiveMailsh(t *testing.T, env []string, args ...string) *liveMailsh {
	t.Helper()
	m := &liveMailsh{t: t, cmd: exec.Command(mailshBin, args...), exited: make(chan struct{}),
		stdout: &notifyBuffer{changed: make(chan struct{}, 1)}}
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAILSH_PASSWORD=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			base = append(base, kv)
		}
	}
	m.cmd.Env = append(base, env...)
	m.cmd.Stdout, m.cmd.Stderr = m.stdout, &m.stderr
	var err error
	if m.stdin, err = m.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { m.cmd.Wait(); close(m.exited) }()
	t.Cleanup(func() {
		select {
		case <-m.exited:
		default:
			m.cmd.Process.Kill()
			<-m.exited
		}
	})
	return m
}

// send writes lines to mailsh's standard input.
func (m *liveMailsh) send(lines ...string) {
	m.t.Helper()
	if _, err := io.WriteString(m.stdin, strings.Join(lines, "\n")+"\n"); err != nil {
		m.t.Fatalf("writing to mailsh: %v\nstdout:\n%s", err, m.stdout)
	}
}

// waitFor waits, at most liveWait, until stdout holds want.
func (m *liveMailsh) waitFor(want string) {
	m.t.Helper()
	timeout := time.After(liveWait)
	for !strings.Contains(m.stdout.String(), want) {
		select {
		case <-m.stdout.changed:
		case <-m.exited:
			if !strings.Contains(m.stdout.String(), want) {
				m.t.Fatalf("mailsh exited before printing %q\nstdout:\n%s\nstderr:\n%s", want, m.stdout, m.stderr.String())
			}
		case <-timeout:
			m.cmd.Process.Kill()
			<-m.exited
			m.t.Fatalf("no %q from mailsh after %v\nstdout:\n%s\nstderr:\n%s", want, liveWait, m.stdout, m.stderr.String())
		}
	}
}

// end closes standard input and waits, at most liveWait, for mailsh to
// exit.
func (m *liveMailsh) end() result {
	m.t.Helper()
	m.stdin.Close()
	select {
	case <-m.exited:
	case <-time.After(liveWait):
		m.cmd.Process.Kill()
		<-m.exited
		m.t.Fatalf("mailsh did not exit %v after its input ended\nstdout:\n%s\nstderr:\n%s", liveWait, m.stdout, m.stderr.String())
	}
	return result{m.stdout.String(), m.stderr.String(), m.cmd.ProcessState.ExitCode()}
}
