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
	// TLS, if set, is offered with STARTTLS (RFC 3207) and STLS (RFC 2595)
	// and used by the implicit-TLS listeners (RFC 8314).
	TLS *tls.Config
	// RequireTLS refuses AUTH, USER/PASS and APOP on a connection without
	// TLS. Without it they are allowed from this machine (loopback), with
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
	// MaxMessageSize is advertised with SIZE (RFC 1870); default 32 MiB.
	MaxMessageSize int64
	// MaxRecipients per message; RFC 5321 §4.5.3.1.8 asks for at least
	// 100, the default.
	MaxRecipients int
	// MaxConnections at once, for each protocol; default 64.
	MaxConnections int
	// MaxLineLength of the message text, in octets with CRLF: RFC 5321
	// §4.5.3.1.6's 1000 by default.
	MaxLineLength int
	// SMTPIdle is how long an SMTP client may stay silent: RFC 5321
	// §4.5.3.2.7 asks for at least 5 minutes, the default.
	SMTPIdle time.Duration
	// POP3Idle is POP3's autologout timer: RFC 1939 §3 asks for at least
	// 10 minutes, the default.
	POP3Idle time.Duration
	// MaxAuthFailures ends a session after that many failed logins;
	// default 3.
	MaxAuthFailures int
}

// Defaults.
const (
	DefaultDomain         = "localhost"
	DefaultMaxMessageSize = 32 << 20
	DefaultMaxRecipients  = 100
	DefaultMaxConnections = 64
	DefaultMaxLineLength  = 1000
	DefaultSMTPIdle       = 5 * time.Minute
	DefaultPOP3Idle       = 10 * time.Minute
	DefaultAuthFailures   = 3
)

// maxCommandLine bounds an SMTP command line, CRLF excluded. RFC 5321
// §4.5.3.1.4 sets 512 octets and lets extensions raise it; RFC 4954 §4
// raises it to 12288 for AUTH and its responses, and one bound for all
// lines keeps the reader simple.
const maxCommandLine = 12288 - 2

// maxPOP3Line bounds a POP3 command line, CRLF excluded: RFC 2449 §4
// allows 255 octets, RFC 5034 §4 more for SASL responses (as for SMTP).
const maxPOP3Line = 12288 - 2

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
	if l.SMTPIdle <= 0 {
		l.SMTPIdle = DefaultSMTPIdle
	}
	if l.POP3Idle <= 0 {
		l.POP3Idle = DefaultPOP3Idle
	}
	if l.MaxAuthFailures <= 0 {
		l.MaxAuthFailures = DefaultAuthFailures
	}
	return l
}
