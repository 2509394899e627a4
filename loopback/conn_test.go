package loopback_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// remoteConn pretends a pipe comes from another machine.
type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 40000}
}

// From another machine, credentials never cross in clear text: AUTH is
// not offered and refused, and POP3 logins are refused, until TLS. The
// connection is a pipe; nothing leaves this machine.
func TestCleartextLoginOnlyOnLoopback(t *testing.T) {
	ts := startServer(t, nil)
	session := func(svc *loopback.Service, script string) {
		near, far := net.Pipe()
		go ts.ServeConn(remoteConn{far}, svc)
		defer near.Close()
		near.SetDeadline(time.Now().Add(10 * time.Second))
		c := &servertest.Client{T: t, Conn: near, BR: bufio.NewReader(near)}
		c.Converse(nil, script)
	}
	session(smtpserver.Service, `
S: 220 *
C: EHLO me
S: 250-localhost Hello me [192.0.2.1], pleased to meet you
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
C: MAIL FROM:<a@b.example>
S: 250 *`)
	session(pop3server.Service, servertest.POP3Greeting+`
C: USER demo
S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first
C: APOP demo 0123456789abcdef0123456789abcdef
S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first`)
}
