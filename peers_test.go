package main

import (
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

// The lecture's SMTP session, typed as in the lecture (lower case, no
// angle brackets), with a line that must be dot-stuffed.
const lectureSMTPScript = `helo mail
mail from: <antunes@ipleiria.pt>
rcpt to: <antunes@ipleiria.pt>
data
Teste do mail
.hidden
.
quit
`

func TestRealSMTPServer(t *testing.T) {
	t.Parallel()
	srv := peertest.StartAiosmtpd(t)
	t.Run("plain", func(t *testing.T) {
		r := mailsh(t, lectureSMTPScript, nil, "smtp://"+srv.Addr)
		r.must(t, 0, "S: 220 ", "C: helo mail", "C: ..hidden", "S: 221 Bye", "* connection closed")
	})
	t.Run("telnet form", func(t *testing.T) {
		host, port, _ := strings.Cut(srv.Addr, ":")
		mailsh(t, "EHLO me\r\nQUIT\r\n", nil, host, port).must(t, 0, "S: 250-8BITMIME", "S: 221")
	})
	t.Run("starttls", func(t *testing.T) {
		r := mailsh(t, "EHLO again\nQUIT\n", nil, "--starttls", "--cafile", srv.Cert.CAFile, "smtp://"+srv.Addr)
		r.must(t, 0, "C: STARTTLS", "* TLS started: TLS 1.3", "C: EHLO again")
	})
	t.Run("implicit tls", func(t *testing.T) {
		r := mailsh(t, "EHLO me\nQUIT\n", nil, "--cafile", srv.Cert.CAFile, "smtps://"+srv.SMTPSAddr)
		r.must(t, 0, "* TLS started", "S: 221")
	})
	t.Run("errexit", func(t *testing.T) {
		r := mailsh(t, "EHLO me\nRCPT TO:<x@y>\nNOOP\nQUIT\n", nil, "-e", "smtp://"+srv.Addr)
		r.must(t, 1, "S: 503", "stopped at")
		if strings.Contains(r.stdout, "C: NOOP") {
			t.Error("went on after the failure")
		}
	})
	msgs := srv.Messages()
	if len(msgs) == 0 || !strings.Contains(msgs[0], "Teste do mail\n.hidden\n") {
		t.Fatalf("server received %q", msgs)
	}
}

func TestRealSmtpSinkTelnetForm(t *testing.T) {
	t.Parallel()
	addr, _ := peertest.StartSmtpSink(t)
	host, port, _ := strings.Cut(addr, ":")
	r := mailsh(t, strings.ReplaceAll(lectureSMTPScript, "\n", "\r\n"), nil, host, port)
	r.must(t, 0, "S: 220 ", "S: 354", "S: 221")
}

const lectureMessage = "Return-Path: <batatas@quintal.net>\r\nDate: Thu, 12 Dec 2002 20:13:17 GMT\r\nFrom: batatas@quintal.net\r\nSubject: teste\r\n\r\nOla,\r\n.\r\n..two\r\nmensagem de teste\r\n"

func TestRealPOP3Server(t *testing.T) {
	t.Parallel()
	d := peertest.StartDovecot(t, "", map[string]string{"vmc": "tanstaaf"})
	d.Deliver(t, "vmc", "1.msg", []byte(lectureMessage))
	env := []string{"MAILSH_PASSWORD=tanstaaf"}
	t.Run("lecture session", func(t *testing.T) {
		host, port, _ := strings.Cut(d.Addr, ":")
		// PASS alone takes the password from the environment in script mode.
		r := mailsh(t, "USER vmc\nPASS\nSTAT\nLIST\nRETR 1\nQUIT\n", env, host, port)
		r.must(t, 0, "C: PASS [redacted]", "S: +OK Logged in.", "S: +OK 1 ", "S: Ola,\nS: ..\nS: ...two\nS: mensagem de teste\nS: .\n")
		if strings.Contains(r.stdout, "tanstaaf") {
			t.Error("password printed")
		}
	})
	t.Run("stls", func(t *testing.T) {
		mailsh(t, "CAPA\n:auth PLAIN vmc\nSTAT\nQUIT\n", env, "--starttls", "--cafile", d.Cert.CAFile, "pop3://"+d.Addr).
			must(t, 0, "C: STLS", "* TLS started", "C: AUTH PLAIN [redacted user=vmc]", "S: +OK 1 ")
	})
	t.Run("pop3s apop", func(t *testing.T) {
		mailsh(t, ":auth APOP vmc\nUIDL\nQUIT\n", env, "--cafile", d.Cert.CAFile, "pop3s://"+d.POP3SAddr).
			must(t, 0, "* TLS started", "C: APOP vmc [redacted]", "S: +OK Logged in.")
	})
	t.Run("cram-md5", func(t *testing.T) {
		r := mailsh(t, ":auth CRAM-MD5 vmc\nQUIT\n", env, "pop3://"+d.Addr)
		r.must(t, 0, "C: AUTH CRAM-MD5", "C: [redacted]", "S: +OK Logged in.")
	})
	t.Run("wrong password", func(t *testing.T) {
		r := mailsh(t, "USER vmc\nPASS nope\nQUIT\n", nil, "-e", "pop3://"+d.Addr)
		r.must(t, 1, "S: -ERR [AUTH]")
	})
	t.Run("no password in script mode", func(t *testing.T) {
		r := mailsh(t, "USER vmc\nPASS\nSTAT\n", nil, "pop3://"+d.Addr)
		r.must(t, 1, "script mode never prompts: set MAILSH_PASSWORD or give --password-file")
		if strings.Contains(r.stdout, "C: STAT") {
			t.Error("went on without a password")
		}
	})
}
