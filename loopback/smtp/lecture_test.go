package smtp

import (
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// The lecture's session, typed as in the lecture: lower case, a space
// after the colon, and a message without a header.
func TestSMTPLectureSession(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(ts.Cert, `
S: 220 localhost ESMTP mailsh loopback server ready
C: helo mail
S: 250 localhost Hello mail [127.0.0.1], pleased to meet you
C: mail from: <antunes@ipleiria.pt>
S: 250 2.1.0 Sender <antunes@ipleiria.pt> OK
C: rcpt to: <demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: data
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Teste do mail
C: ..hidden
C: .
S: 250 2.0.0 * Message accepted: delivered to the mailbox of demo
C: quit
S: 221 2.0.0 localhost closing connection, goodbye
`)
	c.ExpectClosed()
	msg := servertest.ReadOnly(t, ts.Root, "demo")
	for _, want := range []string{
		"Return-Path: <antunes@ipleiria.pt>\n",
		"Delivered-To: demo@localhost\n",
		"Received: from mail (localhost [127.0.0.1])\n\tby localhost (mailsh) with SMTP id ",
		"\n\tfor <demo@localhost>; ",
		"\nDate: ",
		"\nMessage-ID: <",
		"@localhost>\n\nTeste do mail\n.hidden\n",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("stored message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "\r") {
		t.Errorf("stored message has CR: Maildir files use LF\n%q", msg)
	}
}
