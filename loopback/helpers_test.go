package loopback_test

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/imap"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// The tests of what the protocols share (limits, shutdown, the login
// guard, the fault engine) run over the protocols served on Conn.

// startServer starts SMTP, POP3 and their implicit-TLS twins, with
// servertest.Start's accounts and whatever change edit makes to the
// Config.
func startServer(t testing.TB, edit func(*loopback.Config)) *servertest.Server {
	t.Helper()
	return servertest.Start(t, edit, smtpserver.Service, pop3server.Service, smtpserver.ServiceTLS, pop3server.ServiceTLS)
}

// faultDialects are every served protocol's dialect of the fault rules,
// in the order the command line gives them.
var faultDialects = []*loopback.FaultDialect{smtpserver.Faults, pop3server.Faults, imap.Faults}
