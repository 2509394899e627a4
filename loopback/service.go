package loopback

import "time"

// A Service is what a listener serves: one protocol, in clear text (with
// the protocol's own upgrade to TLS) or with TLS from the first octet.
// Each protocol package declares its services; listeners, connection
// budgets and the session log are keyed by them, not by position.
type Service struct {
	// Name is the service as a URL scheme names it ("smtps"), for the log.
	Name string
	// ImplicitTLS starts TLS at once (RFC 8314 §3.3).
	ImplicitTLS bool
	// Protocol runs the sessions; nil for a service whose package runs
	// its own listeners over AcceptLoop and Admit.
	Protocol *Protocol
}

func (s *Service) String() string { return s.Name }

// A Protocol is what a protocol package gives the shared connection core
// (Conn): its session, its time and line limits, and its last words when
// a session fails by a bug.
type Protocol struct {
	// Session runs one session on c, from greeting to close. refused,
	// if not nil, says which connection limit the client met: the
	// session tells the client so, in its own words, and ends.
	Session func(c *Conn, refused *Refusal)
	// Idle is how long a client may stay silent, given the limits in
	// force (Limits.Idle, or the protocol's own default).
	Idle func(Limits) time.Duration
	// MaxLine bounds a command line, CRLF excluded.
	MaxLine int
	// InternalError is the line, CRLF included, sent before closing a
	// session that failed by a bug.
	InternalError string
}
