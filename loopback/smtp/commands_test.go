package smtp

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"

	"github.com/mailsh/mailsh/proto/smtp"
)

// Every command of proto's tables has a handler: one list of commands.
// BDAT is dispatched with its rejection, since its chunk follows whatever
// the reply (RFC 3030 §2).
func TestSMTPHandlersCoverTable(t *testing.T) {
	for _, c := range smtp.Commands {
		if handlerFor(c.Name) == nil && c.Name != "BDAT" {
			t.Errorf("no handler for %s", c.Name)
		}
	}
}

// Golden transcripts of the SMTP side's replies: each says what happened
// with the right code, enhanced code and words.
func TestSMTPReplies(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*loopback.Config)
		script string
	}{
		{"ehlo", nil, `
C: EHLO me
` + servertest.EHLOReply + `
C: QUIT
S: 221 2.0.0 localhost closing connection, goodbye`},
		{"unknown command", nil, `
C: HELLO there
S: 500 5.5.1 Command "HELLO" not recognized; HELP lists the commands
C:
S: 500 5.5.2 Empty command line: type a command, such as HELP
C: NOOP
S: 250 2.0.0 OK, nothing done`},
		{"bad sequence", nil, `
C: MAIL FROM:<a@b.example>
S: 503 5.5.1 Bad sequence of commands: MAIL is not valid now (connected; introduce yourself with EHLO or HELO)
C: EHLO me
` + servertest.EHLOReply + `
C: RCPT TO:<demo@localhost>
S: 503 5.5.1 Bad sequence of commands: RCPT is not valid now (ready for a new message: MAIL FROM:<address>)
C: DATA
S: 503 5.5.1 Bad sequence of commands: DATA is not valid now (ready for a new message: MAIL FROM:<address>)
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: MAIL FROM:<a@b.example>
S: 503 5.5.1 Bad sequence of commands: MAIL is not valid now (sender accepted; add recipients with RCPT TO:<address>)
C: DATA
S: 503 5.5.1 Bad sequence of commands: DATA is not valid now (sender accepted; add recipients with RCPT TO:<address>)`},
		{"syntax", nil, `
C: EHLO
S: 501 5.5.4 Syntax: EHLO <domain>
C: HELO me
S: 250 localhost Hello me [127.0.0.1], pleased to meet you
C: MAIL TO:<a@b.example>
S: 501 5.5.4 Syntax: MAIL FROM:<address>
C: MAIL FROM:<a@b.example
S: 501 5.1.7 Bad address: the address has no closing ">"
C: MAIL FROM:<no-at-sign>
S: 501 5.1.7 Bad address: an address is local-part@domain, as in <demo@localhost>
C: MAIL FROM:<a@b.example> SIZE=10
S: 555 5.5.4 Parameter SIZE=10 not recognized or not implemented
C: BDAT 5 LAST
C: abc
S: 502 5.5.1 BDAT is an ESMTP extension: say EHLO, not HELO, to use it
C: QUIT now
S: 501 5.5.4 Syntax: QUIT takes no argument
C: MAIL FROM:<>
S: 250 2.1.0 Sender <> OK
C: RCPT TO:<>
S: 501 5.1.3 Bad address: a recipient cannot be the null path <>`},
		{"routing", nil, `
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<nobody@localhost>
S: 550 5.1.1 No mailbox here for <nobody@localhost>: no such user
C: RCPT TO:<demo@example.com>
S: 550 5.7.1 Relaying denied: this server takes mail only for @localhost, not for <demo@example.com> (it is not an open relay)
C: RCPT TO:<Postmaster>
S: 250 2.1.5 Recipient <Postmaster> OK, for the mailbox of demo
C: RCPT TO:<postmaster@LOCALHOST>
S: 250 2.1.5 Recipient <postmaster@LOCALHOST> OK, for the mailbox of demo
C: RCPT TO:<ALICE@localhost>
S: 250 2.1.5 Recipient <ALICE@localhost> OK, for the mailbox of alice
C: RCPT TO:<alice@[127.0.0.1]>
S: 250 2.1.5 Recipient <alice@[127.0.0.1]> OK, for the mailbox of alice
C: RCPT TO:<alice@localhost> NOTIFY=NEVER
S: 555 5.5.4 Parameter NOTIFY=NEVER not recognized or not implemented
C: RSET
S: 250 2.0.0 Reset: no message in progress now
C: VRFY demo
S: 252 2.0.0 Cannot VRFY users, but will take a message and try to deliver it
C: EXPN staff
S: 502 5.5.1 EXPN is not available here: mailing lists are not disclosed`},
		{"catch-all", func(c *loopback.Config) { c.CatchAll = "alice" }, `
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<app@test.example>
S: 250 2.1.0 Sender <app@test.example> OK
C: RCPT TO:<anyone@localhost>
S: 250 2.1.5 Recipient <anyone@localhost> OK, caught by the catch-all: for the mailbox of alice
C: RCPT TO:<anyone@elsewhere.example>
S: 550 5.7.1 Relaying denied: this server takes mail only for @localhost, not for <anyone@elsewhere.example> (it is not an open relay)`},
		{"recipient limit", func(c *loopback.Config) { c.Limits.MaxRecipients = 2 }, `
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: RCPT TO:<alice@localhost>
S: 250 2.1.5 Recipient <alice@localhost> OK, for the mailbox of alice
C: RCPT TO:<postmaster@localhost>
S: 452 4.5.3 Too many recipients: at most 2 per message; send the rest in another message`},
		{"size", func(c *loopback.Config) { c.Limits.MaxMessageSize = 100 }, `
C: EHLO me
S: 250-localhost Hello me [127.0.0.1], pleased to meet you
S: 250-PIPELINING
S: 250-SIZE 100
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP
C: MAIL FROM:<a@b.example> SIZE=101
S: 552 5.3.4 Message size exceeds fixed maximum message size of 100 octets
C: MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: 0123456789012345678901234567890123456789
C: 0123456789012345678901234567890123456789
C: 0123456789012345678901234567890123456789
C: .
S: 552 5.3.4 Message too big: more than 100 octets; nothing was delivered
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: BDAT 60
C: 0123456789012345678901234567890123456789012345678901234567
S: 250 2.0.0 60 octets received, 60 so far; send more, or BDAT n LAST
C: BDAT 60 LAST
C: 0123456789012345678901234567890123456789012345678901234567
S: 552 5.3.4 Message too big: more than 100 octets; nothing was delivered
C: RCPT TO:<demo@localhost>
S: 503 5.5.1 Bad sequence of commands: RCPT is not valid now (ready for a new message: MAIL FROM:<address>)`},
		{"line length", func(c *loopback.Config) { c.Limits.MaxLineLength = 20 }, `
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: short
C: 0123456789012345678
C: .
S: 500 5.5.2 Line too long: the message has a line longer than 20 octets with CRLF (RFC 5321 §4.5.3.1.6); nothing was delivered
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: BDAT 22 LAST
C: 01234567890123456789
S: 500 5.5.2 Line too long: the message has a line longer than 20 octets with CRLF (RFC 5321 §4.5.3.1.6); nothing was delivered
C: NOOP
S: 250 2.0.0 OK, nothing done`},
		{"smtputf8", nil, `
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<joão@exemplo.pt>
S: 553 5.6.7 Non-ASCII address: give SMTPUTF8 on MAIL FROM to use one
C: MAIL FROM:<joão@exemplo.pt> SMTPUTF8
S: 250 2.1.0 Sender <joão@exemplo.pt> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo`},
		{"help", nil, `
C: HELP
S: 214-2.0.0 mailsh loopback server; now: connected; introduce yourself with EHLO or HELO
S: 214-2.0.0 Commands valid now: EHLO HELO STARTTLS RSET VRFY EXPN HELP NOOP QUIT
S: 214 2.0.0 HELP <command> explains one
C: HELP mail
S: 214-2.0.0 MAIL FROM:<reverse-path> [parameters]
S: 214 2.0.0 start a message: give the envelope sender (RFC 5321 §4.1.1.2)
C: HELP FOO
S: 504 5.5.1 No help for "FOO": HELP lists the commands`},
		{"bdat", nil, `
C: EHLO me
` + servertest.EHLOReply + `
C: BDAT 5
C: abc
S: 503 5.5.1 Bad sequence of commands: BDAT is not valid now (ready for a new message: MAIL FROM:<address>)
C: MAIL FROM:<a@b.example>
S: 250 2.1.0 Sender <a@b.example> OK
C: RCPT TO:<demo@localhost>
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
C: BDAT 18
C: Subject: chunked
S: 250 2.0.0 18 octets received, 18 so far; send more, or BDAT n LAST
C: DATA
S: 503 5.5.1 Bad sequence of commands: DATA is not valid now (sending the message in BDAT chunks; finish with BDAT n LAST)
C: BDAT 0 LAST
S: 250 2.0.0 * Message accepted: delivered to the mailbox of demo
C: BDAT x
S: 501 5.5.4 Syntax: BDAT <chunk-size> [LAST]; without a size the end of the chunk cannot be found, so the connection closes`},
		{"require tls", func(c *loopback.Config) { c.RequireTLS = true }, `
C: EHLO me
S: 250-localhost Hello me [127.0.0.1], pleased to meet you
S: 250-PIPELINING
S: 250-SIZE 33554432
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-STARTTLS
S: 250 HELP
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
TLS
C: EHLO me
S: 250-localhost Hello me [127.0.0.1], pleased to meet you
S: 250-PIPELINING
S: 250-SIZE 33554432
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP
C: STARTTLS
S: 503 5.5.1 TLS is already active
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 235 2.7.0 Authentication succeeded`},
		{"auth", nil, `
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 503 5.5.1 Bad sequence of commands: AUTH is not valid now (connected; introduce yourself with EHLO or HELO)
C: EHLO me
` + servertest.EHLOReply + `
C: AUTH DIGEST-MD5
S: 504 5.5.4 Unrecognized authentication mechanism "DIGEST-MD5": use PLAIN, LOGIN or CRAM-MD5
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 535 5.7.8 Authentication credentials invalid: wrong user name or password
C: AUTH PLAIN
S: 334 
C: *
S: 501 5.0.0 Authentication cancelled
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: !!!
S: 501 5.5.2 Cannot decode the response: it is not base64
C: AUTH LOGIN ZGVtbw==
S: 334 UGFzc3dvcmQ6
C: c2VjcmV0
S: 235 2.7.0 Authentication succeeded; note that your credentials crossed the connection in clear text (no TLS)
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 503 5.5.1 Already authenticated: AUTH is allowed once per session`},
		{"auth failures", nil, `
C: EHLO me
` + servertest.EHLOReply + `
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 535 5.7.8 Authentication credentials invalid: wrong user name or password
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 535 5.7.8 Authentication credentials invalid: wrong user name or password
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 421 4.7.0 Too many failed authentication attempts, closing the connection`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, tt.edit)
			c := servertest.Dial(t, ts.Addrs[Service])
			c.Converse(ts.Cert, "S: 220 localhost ESMTP mailsh loopback server ready\n"+tt.script)
		})
	}
}

// A line longer than the command limit gets 500 and the session goes on
// (RFC 5321 §4.5.3.1.9).
func TestSMTPCommandLineTooLong(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line()
	c.Send("NOOP " + strings.Repeat("x", 20000) + "\r\nNOOP\r\n")
	c.Converse(nil, `
S: 500 5.5.2 Line too long: at most 12288 characters per line, including CRLF
S: 250 2.0.0 OK, nothing done`)
}

// RFC 2920: a client may send a whole transaction at once; the replies
// come back in order.
func TestSMTPPipelining(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line()
	c.Send("EHLO me\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<demo@localhost>\r\nRCPT TO:<nobody@localhost>\r\nRCPT TO:<alice@localhost>\r\nDATA\r\n")
	c.Converse(nil, servertest.EHLOReply+`
S: 250 2.1.0 Sender <a@b.example> OK
S: 250 2.1.5 Recipient <demo@localhost> OK, for the mailbox of demo
S: 550 5.1.1 No mailbox here for <nobody@localhost>: no such user
S: 250 2.1.5 Recipient <alice@localhost> OK, for the mailbox of alice
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Subject: both
C:
C: hello
C: .
S: 250 2.0.0 * Message accepted: delivered to the mailbox of demo, alice`)
	d, a := servertest.ReadOnly(t, ts.Root, "demo"), servertest.ReadOnly(t, ts.Root, "alice")
	if !strings.Contains(d, "Delivered-To: demo@localhost\n") || strings.Contains(d, "alice@localhost") {
		t.Errorf("demo's copy:\n%s", d)
	}
	if !strings.Contains(a, "Delivered-To: alice@localhost\n") || strings.Contains(a, "demo@localhost") {
		t.Errorf("alice's copy:\n%s", a)
	}
	_, dBody, _ := strings.Cut(d, "Subject: both")
	_, aBody, _ := strings.Cut(a, "Subject: both")
	if dBody != aBody || !strings.HasSuffix(dBody, "\n\nhello\n") {
		t.Errorf("copies differ after the trace fields:\n%q\n%q", dBody, aBody)
	}
}

// CRAM-MD5 (RFC 2195), with the response computed here by hand rather
// than by proto; without TLS the reply says that only the user name was
// exposed.
func TestSMTPCramMD5(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, "S: 220 *\nC: EHLO me\n"+servertest.EHLOReply+"\nC: AUTH CRAM-MD5")
	l := c.Line()
	challenge, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(l, "334 "))
	if err != nil || !strings.HasPrefix(l, "334 ") || !strings.HasSuffix(string(challenge), "@localhost>") {
		t.Fatalf("challenge %q", l)
	}
	mac := hmac.New(md5.New, []byte("wonderland"))
	mac.Write(challenge)
	c.Send(base64.StdEncoding.EncodeToString([]byte("alice "+hex.EncodeToString(mac.Sum(nil)))) + "\r\n")
	c.Converse(nil, "S: 235 2.7.0 Authentication succeeded; note that this was without TLS: your user name crossed the connection in clear text (CRAM-MD5 kept the password itself hidden)")
}

// Implicit TLS (RFC 8314): the greeting comes over TLS. After STARTTLS
// the server has forgotten the EHLO and any AUTH (RFC 3207 §4.2).
func TestSMTPTLS(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[ServiceTLS])
	c.StartTLS(ts.Cert)
	c.Converse(nil, `
S: 220 localhost ESMTP mailsh loopback server ready
C: EHLO me
S: 250-localhost Hello me [127.0.0.1], pleased to meet you
S: 250-PIPELINING
S: 250-SIZE 33554432
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP
C: STARTTLS
S: 503 5.5.1 TLS is already active`)
	c = servertest.Dial(t, ts.Addrs[Service])
	c.Converse(ts.Cert, `
S: 220 *
C: EHLO me
`+servertest.EHLOReply+`
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 235 *
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
TLS
C: MAIL FROM:<a@b.example>
S: 503 5.5.1 Bad sequence of commands: MAIL is not valid now (connected; introduce yourself with EHLO or HELO)
C: EHLO me
S: 250-localhost *
S: 250-PIPELINING
S: 250-SIZE 33554432
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP`)
}

// Text sent after STARTTLS but before the handshake is thrown away, not
// run as if it came over TLS (CVE-2011-0411, RFC 3207 §6).
func TestSTARTTLSInjection(t *testing.T) {
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, "S: 220 *\nC: EHLO me\n"+servertest.EHLOReply)
	c.Send("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n")
	c.Converse(ts.Cert, `
S: 220 2.0.0 Ready to start TLS
TLS
C: NOOP
S: 250 2.0.0 OK, nothing done`)
}
