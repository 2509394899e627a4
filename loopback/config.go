package loopback

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"
)

// Config says what a Server serves and how.
type Config struct {
	// Domain is the mail domain served: recipients @Domain are local, and
	// the greeting and the Received fields name it. Default "localhost".
	Domain string
	// Accounts are the mailboxes and their passwords; at least one.
	Accounts []Account
	// CatchAll, if set, names the account that receives mail for every
	// local address that has no account of its own, as a mail catcher
	// for application tests wants.
	CatchAll string
	// CatchEveryDomain, with CatchAll, takes mail for every domain into
	// the CatchAll account, as a mail catcher does: the built-in session
	// accepts the lecture's "rcpt to: antunes@ipleiria.pt". Nothing is
	// relayed: the mail stays in that mailbox.
	CatchEveryDomain bool
	// Store is where mail goes.
	Store *Store
	// TLS, if set, is offered by each protocol's upgrade to TLS and used
	// by the implicit-TLS listeners (RFC 8314).
	TLS *tls.Config
	// RequireTLS refuses every login on a connection without TLS.
	// Without it logins are allowed from this machine (loopback), with
	// a reply saying what crossed the connection in clear text; from
	// other machines they always need TLS.
	RequireTLS bool
	// Faults make the server misbehave on purpose, by rule.
	Faults *Faults
	// Limits bound what a client may do.
	Limits Limits
	// Log, if set, receives a line for each session's start and end, each
	// delivery, each login and each fault applied. It never receives a
	// password or a SASL exchange.
	Log *log.Logger

	// sleepHook, if set, stands in for the delays of fault rules, so
	// that tests can see them without waiting.
	sleepHook func(time.Duration)
	// clock, if set, stands in for time.Now where the login guard dates
	// failures, so that tests can let an hour pass without waiting it.
	clock func() time.Time
}

// Account is a mailbox and the password that opens it.
type Account struct {
	Name     string
	Password string
}

// ParseAccount reads NAME:PASSWORD, as given to --user.
func ParseAccount(s string) (Account, error) {
	name, pass, ok := strings.Cut(s, ":")
	if !ok || pass == "" {
		return Account{}, errors.New("give an account as NAME:PASSWORD")
	}
	if !validAccountName(name) {
		return Account{}, fmt.Errorf("bad account name %q: use letters, digits, '.', '-' and '_'", name)
	}
	return Account{Name: name, Password: pass}, nil
}

// Limits bound what a client may do. Zero fields take the defaults.
type Limits struct {
	// MaxMessageSize bounds a message received, and is advertised (RFC
	// 1870); default 32 MiB.
	MaxMessageSize int64
	// MaxRecipients per message; RFC 5321 §4.5.3.1.8 asks for at least
	// 100, the default.
	MaxRecipients int
	// MaxConnections at once, for each listener: each service has a
	// budget of its own, so that clients stuck in a TLS handshake on one
	// port never crowd out another; default 64.
	MaxConnections int
	// MaxClientConnections at once from one client address, for each
	// listener; default 16 (Postfix's smtpd_client_connection_count_limit
	// is 50, Dovecot's mail_max_userip_connections 10). It is a quarter of
	// MaxConnections, so that one address cannot take a listener, and
	// room enough for a test suite running one connection per CPU, or a
	// lecture's several sessions, all from 127.0.0.1.
	MaxClientConnections int
	// MaxSession bounds a whole session, however busy: a client that
	// sends a NOOP every few minutes is closed after it; default 1 hour,
	// longer than any message transfer the size limit allows and than a
	// person's typing in a lecture's exercise.
	MaxSession time.Duration
	// LineTimeout bounds the time to send one whole command line, from its
	// first octet to its CRLF, however the octets trickle in; default 5
	// minutes, RFC 5321 §4.5.3.2.7's timeout for a command.
	LineTimeout time.Duration
	// StressIdle replaces the idle timeout while a listener holds 80%
	// of MaxConnections or more, for new sessions and those waiting for a
	// command, as Postfix's smtpd_timeout does under stress; default 10 s.
	StressIdle time.Duration
	// TLSHandshakeTimeout bounds a TLS handshake, on the implicit-TLS
	// ports and after an upgrade command; default 10 s.
	TLSHandshakeTimeout time.Duration
	// MaxLineLength of the message text, in octets with CRLF: RFC 5321
	// §4.5.3.1.6's 1000 by default.
	MaxLineLength int
	// Idle, if set, is how long a client may stay silent, whatever the
	// protocol; zero leaves each protocol's own default, which its
	// package names with the RFC that sets it.
	Idle time.Duration
	// MaxAuthFailures ends a session after that many failed logins;
	// default 3.
	MaxAuthFailures int
	// AuthFailureDelay is how long the reply to a failed login waits, the
	// first time from a client address; it doubles with each further
	// failure from that address, up to MaxAuthFailureDelay, and the
	// address's logins are checked one at a time, so that neither
	// parallel connections nor hanging up early guess faster. Default
	// 1 s (Dovecot: auth_failure_delay 2 s).
	AuthFailureDelay time.Duration
	// MaxAuthFailureDelay caps the growing delay; default 15 s, Dovecot's
	// AUTH_PENALTY_MAX_SECS.
	MaxAuthFailureDelay time.Duration
}

// Defaults.
const (
	DefaultDomain         = "localhost"
	DefaultMaxMessageSize = 32 << 20
	DefaultMaxRecipients  = 100
	DefaultMaxConnections = 64
	DefaultMaxLineLength  = 1000
	DefaultAuthFailures   = 3

	DefaultMaxClientConnections = 16
	DefaultMaxSession           = time.Hour
	DefaultLineTimeout          = 5 * time.Minute
	DefaultStressIdle           = 10 * time.Second
	DefaultTLSHandshakeTimeout  = 10 * time.Second
	DefaultAuthFailureDelay     = time.Second
	DefaultMaxAuthFailureDelay  = 15 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = DefaultMaxMessageSize
	}
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = DefaultMaxRecipients
	}
	if l.MaxConnections <= 0 {
		l.MaxConnections = DefaultMaxConnections
	}
	if l.MaxLineLength <= 0 {
		l.MaxLineLength = DefaultMaxLineLength
	}
	if l.MaxAuthFailures <= 0 {
		l.MaxAuthFailures = DefaultAuthFailures
	}
	if l.MaxClientConnections <= 0 {
		l.MaxClientConnections = DefaultMaxClientConnections
	}
	if l.MaxSession <= 0 {
		l.MaxSession = DefaultMaxSession
	}
	if l.LineTimeout <= 0 {
		l.LineTimeout = DefaultLineTimeout
	}
	if l.StressIdle <= 0 {
		l.StressIdle = DefaultStressIdle
	}
	if l.TLSHandshakeTimeout <= 0 {
		l.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if l.AuthFailureDelay <= 0 {
		l.AuthFailureDelay = DefaultAuthFailureDelay
	}
	if l.MaxAuthFailureDelay <= 0 {
		l.MaxAuthFailureDelay = DefaultMaxAuthFailureDelay
	}
	if l.MaxAuthFailureDelay < l.AuthFailureDelay {
		l.MaxAuthFailureDelay = l.AuthFailureDelay
	}
	return l
}
