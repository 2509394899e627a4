package smtp

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
)

// startServer starts SMTP, POP3 (to read back what was delivered) and
// their implicit-TLS twins, with servertest.Start's accounts and
// whatever change edit makes to the Config.
func startServer(t testing.TB, edit func(*loopback.Config)) *servertest.Server {
	t.Helper()
	return servertest.Start(t, edit, Service, pop3server.Service, ServiceTLS, pop3server.ServiceTLS)
}

// faultDialects are the dialects the tests' fault rules are written in.
var faultDialects = []*loopback.FaultDialect{Faults, pop3server.Faults}

// fuzzFaults are the fault rules the fuzzers' server runs with.
var fuzzFaults = []string{"rcpt~*@grey.example:451", "pop3.top#2:-ERR"}
