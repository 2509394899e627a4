package pop3

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// startServer starts POP3, SMTP (to deliver what is read) and their
// implicit-TLS twins, with servertest.Start's accounts and whatever
// change edit makes to the Config.
func startServer(t testing.TB, edit func(*loopback.Config)) *servertest.Server {
	t.Helper()
	return servertest.Start(t, edit, smtpserver.Service, Service, smtpserver.ServiceTLS, ServiceTLS)
}

// faultDialects are the dialects the tests' fault rules are written in.
var faultDialects = []*loopback.FaultDialect{smtpserver.Faults, Faults}

// fuzzFaults are the fault rules the fuzzers' server runs with.
var fuzzFaults = []string{"rcpt~*@grey.example:451", "pop3.top#2:-ERR"}
