package pop3

import (
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// The lecture's POP3 message, as another program would leave it in new/:
// LF line endings, no size in the name, a line starting with ".".
const lectureMessage = "Return-Path: <batatas@quintal.net>\nDate: Thu, 12 Dec 2002 20:13:17 GMT\nFrom: batatas@quintal.net\nSubject: teste\n\nOla,\n.\n..two\nmensagem de teste\n"

func TestPOP3Session(t *testing.T) {
	ts := startServer(t, nil)
	servertest.Put(t, ts, "demo", "1000000000.M1P1.host", lectureMessage)
	servertest.Put(t, ts, "demo", "1000000001.M1P1.host", "Subject: two\n\nsecond\n")
	// With CRLF line endings: 144 + 9 = 153 octets, and 21 + 3 = 24.
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(ts.Cert, servertest.POP3Greeting+`
C: STAT
S: -ERR STAT is not valid now (AUTHORIZATION: log in with USER/PASS, APOP or AUTH)
C: PASS secret
S: -ERR PASS is not valid now (AUTHORIZATION: log in with USER/PASS, APOP or AUTH)
C: USER demo
S: +OK Send PASS for demo
C: PASS wrong
S: -ERR [AUTH] Invalid user name or password
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 2 messages (177 octets); note that your password crossed the connection in clear text (no TLS)
C: STAT
S: +OK 2 177
C: LIST
S: +OK 2 messages (177 octets)
S: 1 153
S: 2 24
S: .
C: LIST 2
S: +OK 2 24
C: LIST 3
S: -ERR No such message: there are 2
C: UIDL
S: +OK 2 messages (177 octets)
S: 1 1000000000.M1P1.host
S: 2 1000000001.M1P1.host
S: .
C: RETR 1
S: +OK 153 octets
S: Return-Path: <batatas@quintal.net>
S: Date: Thu, 12 Dec 2002 20:13:17 GMT
S: From: batatas@quintal.net
S: Subject: teste
S: 
S: Ola,
S: ..
S: ...two
S: mensagem de teste
S: .
C: TOP 1 1
S: +OK 153 octets
S: Return-Path: <batatas@quintal.net>
S: Date: Thu, 12 Dec 2002 20:13:17 GMT
S: From: batatas@quintal.net
S: Subject: teste
S: 
S: Ola,
S: .
C: TOP 2 0
S: +OK 24 octets
S: Subject: two
S: 
S: .
C: TOP 2
S: -ERR Syntax: TOP <msg> <lines>
C: DELE 1
S: +OK Message 1 deleted (at QUIT)
C: DELE 1
S: -ERR Message 1 already deleted
C: RETR 1
S: -ERR Message 1 is marked deleted
C: STAT
S: +OK 1 24
C: RSET
S: +OK Deletion marks removed: 2 messages (177 octets)
C: DELE 2
S: +OK Message 2 deleted (at QUIT)
C: NOOP
S: +OK
C: XTND
S: -ERR Unknown command "XTND"; CAPA lists the extensions, RFC 1939 the rest
C: QUIT
S: +OK localhost POP3 server signing off (1 messages deleted, 1 left)
`)
	c.ExpectClosed()
	if n := len(servertest.MaildirFiles(t, ts.Root, "demo", "new")); n != 1 {
		t.Errorf("%d messages left, want 1", n)
	}
}

// RFC 1939 §6: only QUIT in TRANSACTION deletes; a dropped connection
// deletes nothing. UIDLs stay the same across sessions.
func TestPOP3DropDeletesNothing(t *testing.T) {
	ts := startServer(t, nil)
	servertest.Put(t, ts, "demo", "1000000000.M1P1.host", lectureMessage)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 1 messages (153 octets)*
C: UIDL 1
S: +OK 1 1000000000.M1P1.host
C: DELE 1
S: +OK Message 1 deleted (at QUIT)
`)
	c.Conn.Close()
	// The lock goes with the session: poll until a new login gets in.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c = servertest.Dial(t, ts.Addrs[Service])
		c.Line()
		c.Send("USER demo\r\nPASS secret\r\n")
		c.Line()
		if l := c.Line(); strings.HasPrefix(l, "+OK") {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("still %q", l)
		}
		c.Conn.Close()
	}
	c.Converse(ts.Cert, `
C: UIDL 1
S: +OK 1 1000000000.M1P1.host
C: QUIT
S: +OK localhost POP3 server signing off (0 messages deleted, 1 left)`)
}

// RFC 2449 §8.1.1: a second login to a maildrop in use gets [IN-USE],
// and stays in AUTHORIZATION.
func TestPOP3InUse(t *testing.T) {
	ts := startServer(t, nil)
	a := servertest.Dial(t, ts.Addrs[Service])
	a.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 0 messages (0 octets)*`)
	b := servertest.Dial(t, ts.Addrs[Service])
	b.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: -ERR [IN-USE] The mailbox of demo is in use by another session, try again later
C: USER alice
S: +OK Send PASS for alice
C: PASS wonderland
S: +OK Logged in as alice: 0 messages (0 octets)*`)
	a.Converse(ts.Cert, `
C: QUIT
S: +OK localhost POP3 server signing off (0 messages deleted, 0 left)`)
}

func TestPOP3LoginMethods(t *testing.T) {
	ts := startServer(t, nil)
	t.Run("apop", func(t *testing.T) {
		c := servertest.Dial(t, ts.Addrs[Service])
		g := c.Line()
		stamp := g[strings.IndexByte(g, '<'):]
		c.Send("APOP demo " + servertest.APOPDigest(stamp, "wrong") + "\r\n")
		if l := c.Line(); l != "-ERR [AUTH] Invalid user name or password" {
			t.Fatal(l)
		}
		c.Send("APOP demo " + servertest.APOPDigest(stamp, "secret") + "\r\n")
		if l := c.Line(); !strings.HasPrefix(l, "+OK Logged in as demo: 0 messages (0 octets); note") {
			t.Fatal(l)
		}
		c.Send("QUIT\r\n")
		c.Line()
	})
	t.Run("auth", func(t *testing.T) {
		c := servertest.Dial(t, ts.Addrs[Service])
		c.Converse(ts.Cert, servertest.POP3Greeting+`
C: AUTH
S: +OK Mechanisms follow
S: PLAIN
S: LOGIN
S: CRAM-MD5
S: .
C: AUTH PLAIN
S: + 
C: *
S: -ERR Authentication cancelled
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: YWxpY2U=
S: + UGFzc3dvcmQ6
C: d29uZGVybGFuZA==
S: +OK Logged in as alice: 0 messages (0 octets)*
C: QUIT
S: +OK *`)
	})
	t.Run("capa and stls", func(t *testing.T) {
		c := servertest.Dial(t, ts.Addrs[Service])
		c.Converse(ts.Cert, servertest.POP3Greeting+`
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: EXPIRE NEVER
S: IMPLEMENTATION mailsh-loopback
S: USER
S: SASL PLAIN LOGIN CRAM-MD5
S: STLS
S: .
C: STLS
S: +OK Begin TLS negotiation
TLS
C: STLS
S: -ERR TLS is already active
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=
S: +OK Logged in as alice: 0 messages (0 octets)
C: QUIT
S: +OK *`)
	})
	t.Run("require tls", func(t *testing.T) {
		ts := startServer(t, func(c *loopback.Config) { c.RequireTLS = true })
		c := servertest.Dial(t, ts.Addrs[Service])
		c.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER demo
S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first
C: STLS
S: +OK Begin TLS negotiation
TLS
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 0 messages (0 octets)`)
	})
	t.Run("pop3s", func(t *testing.T) {
		c := servertest.Dial(t, ts.Addrs[ServiceTLS])
		c.StartTLS(ts.Cert)
		c.Converse(ts.Cert, servertest.POP3Greeting+`
C: USER demo
S: +OK Send PASS for demo
C: PASS secret
S: +OK Logged in as demo: 0 messages (0 octets)`)
	})
}

// TestPOP3LineBound: a command line longer than the bound (RFC 2449 §4
// allows 255 octets; RFC 5034 §4 more for a SASL response, so the bound
// is SMTP's) is refused whole, and the session goes on; one at the bound
// is read as a command.
func TestPOP3LineBound(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	if l := c.Line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("greeting: %q", l)
	}
	at := "USER " + strings.Repeat("u", maxPOP3Line-len("USER "))
	c.Send(at + "\r\n")
	if l := c.Line(); strings.Contains(l, "Line too long") {
		t.Fatalf("a line of %d octets: %q; want it read as a command", len(at), l)
	}
	c.Send(at + "u\r\nQUIT\r\n")
	if l := c.Line(); l != "-ERR Line too long" {
		t.Fatalf("a line of %d octets: %q; want -ERR Line too long", len(at)+1, l)
	}
	if l := c.Line(); !strings.HasPrefix(l, "+OK") {
		t.Fatalf("QUIT after it: %q", l)
	}
}
