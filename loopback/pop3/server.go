package pop3

import (
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// Services. POP3 upgrades to TLS with STLS (RFC 2595 §4); POP3S starts
// with TLS (RFC 8314 §3.3). Give them to loopback.Server.Start with the
// addresses to listen on.
var (
	Service    = &loopback.Service{Name: "pop3", Protocol: protocol}
	ServiceTLS = &loopback.Service{Name: "pop3s", ImplicitTLS: true, Protocol: protocol}
)

var protocol = &loopback.Protocol{
	Session:       serve,
	Idle:          idle,
	MaxLine:       maxPOP3Line,
	InternalError: "-ERR [SYS/TEMP] Internal error, closing the connection\r\n",
}

// DefaultIdle is POP3's autologout timer unless Limits.Idle says
// otherwise: RFC 1939 §3 asks for at least 10 minutes.
const DefaultIdle = 10 * time.Minute

func idle(l loopback.Limits) time.Duration {
	if l.Idle > 0 {
		return l.Idle
	}
	return DefaultIdle
}

// maxPOP3Line bounds a POP3 command line, CRLF excluded: RFC 2449 §4
// allows 255 octets, RFC 5034 §4 more for SASL responses (as for SMTP).
const maxPOP3Line = 12288 - 2
