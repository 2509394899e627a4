package smtp

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailsh/mailsh/proto"
)

// A message with the things that break naive servers: a line starting
// with ".", a lone "." line, 8-bit UTF-8 text, and a long base64 part.
func trickyMessage() string {
	var b strings.Builder
	b.WriteString("From: Vítor <vmc@localhost>\r\nTo: demo@localhost\r\nSubject: =?UTF-8?Q?Ol=C3=A1?=\r\n")
	b.WriteString("Date: Thu, 12 Dec 2002 20:13:17 +0000\r\nMessage-ID: <tricky@localhost>\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	b.WriteString("--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Olá, isto é um teste.\r\n.\r\n..two dots\r\n.leading dot\r\n\r\n")
	b.WriteString("--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for i := 0; i < 200; i++ {
		b.WriteString(strings.Repeat("QUJD", 19) + "\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

// go-smtp's client, an SMTP implementation independent of mailsh's,
// sends over STARTTLS with AUTH PLAIN; POP3 gives the message back byte
// for byte after the trace fields.
func TestGoSMTPClientInterop(t *testing.T) {
	ts := startServer(t, nil)
	msg := trickyMessage()
	c, err := smtp.DialStartTLS(ts.Addrs[Service], &tls.Config{RootCAs: ts.Cert.Pool(), ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("CHUNKING"); !ok {
		t.Error("CHUNKING not advertised")
	}
	if err := c.Auth(sasl.NewPlainClient("", "demo", "secret")); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("vmc@localhost", []string{"demo@localhost", "alice@localhost"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	// A refused recipient is an *smtp.SMTPError with the enhanced code.
	err = c.Mail("vmc@localhost", nil)
	if err == nil {
		err = c.Rcpt("nobody@localhost", nil)
	}
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) {
		t.Errorf("unknown user: %v", err)
	}
	c.Quit()

	for _, account := range []string{"demo", "alice"} {
		got := retrieve(t, ts, account, map[string]string{"demo": "secret", "alice": "wonderland"}[account], 1)
		head, rest, ok := strings.Cut(got, "From: Vítor")
		if !ok || "From: Vítor"+rest != msg {
			t.Fatalf("%s's copy differs from what was sent:\n%q", account, got)
		}
		for _, f := range []string{"Return-Path: <vmc@localhost>\r\n", "Delivered-To: " + account + "@localhost\r\n", "(authenticated as demo)", " with ESMTPSA id ", "\tfor <" + account + "@localhost>; "} {
			if !strings.Contains(head, f) {
				t.Errorf("%s's trace fields lack %q:\n%s", account, f, head)
			}
		}
	}
}

// retrieve logs in over POP3 with proto's client and returns message n
// as POP3 sends it, CRLF line endings and all, dot-unstuffed.
func retrieve(t testing.TB, ts *servertest.Server, user, pass string, n int) string {
	t.Helper()
	c := servertest.Dial(t, ts.Addrs[pop3server.Service])
	c.Line()
	c.Send("USER " + user + "\r\nPASS " + pass + "\r\nRETR " + strconv.Itoa(n) + "\r\nQUIT\r\n")
	c.Line()
	if l := c.Line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("login: %s", l)
	}
	if l := c.Line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("RETR: %s", l)
	}
	lr := proto.NewLineReader(c.BR)
	var out bytes.Buffer
	if _, err := io.Copy(&out, proto.NewDotReader(lr)); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
