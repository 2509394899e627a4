package smtp

import (
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// Services. SMTP upgrades to TLS with STARTTLS (RFC 3207); SMTPS starts
// with TLS (RFC 8314 §3.3). Give them to loopback.Server.Start with the
// addresses to listen on.
var (
	Service    = &loopback.Service{Name: "smtp", Protocol: protocol}
	ServiceTLS = &loopback.Service{Name: "smtps", ImplicitTLS: true, Protocol: protocol}
)

var protocol = &loopback.Protocol{
	Session: serve,
	Idle:    idle,
	MaxLine: maxCommandLine,
	// RFC 5321 §3.8: 421 when the server must close.
	InternalError: "421 4.3.0 Internal error, closing the connection\r\n",
}

// DefaultIdle is how long an SMTP client may stay silent unless
// Limits.Idle says otherwise: RFC 5321 §4.5.3.2.7 asks for at least 5
// minutes.
const DefaultIdle = 5 * time.Minute

func idle(l loopback.Limits) time.Duration {
	if l.Idle > 0 {
		return l.Idle
	}
	return DefaultIdle
}

// maxCommandLine bounds an SMTP command line, CRLF excluded. RFC 5321
// §4.5.3.1.4 sets 512 octets and lets extensions raise it; RFC 4954 §4
// raises it to 12288 for AUTH and its responses, and one bound for all
// lines keeps the reader simple.
const maxCommandLine = 12288 - 2
