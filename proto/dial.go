package proto

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// DialOptions say how to connect.
type DialOptions struct {
	// Network is "tcp", "tcp4" or "tcp6".
	Network string
	Timeout time.Duration
	// TLSConfig is used for implicit TLS, STARTTLS and STLS. Its ServerName
	// is set from the target when empty.
	TLSConfig *tls.Config
	// Observe receives every event of the session.
	Observe func(Event)
	// KeepSecrets makes events carry secrets as sent (--no-redact).
	KeepSecrets bool
	// EHLOName is the name given in EHLO when mailsh must send one itself
	// (for --starttls); empty means this host's name.
	EHLOName string
	// Protocols are the protocols a greeting may be, for a target whose
	// protocol is not known (HOST PORT).
	Protocols Registry
}

// ConnectError is a failure to reach a server, with the reason in words.
type ConnectError struct {
	Addr   string
	Reason string
	Err    error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to %s: %s", e.Addr, e.Reason)
}

// Unwrap returns the underlying error.
func (e *ConnectError) Unwrap() error { return e.Err }

// Dial connects to t, starts TLS if the target says so (implicit TLS at
// once; STARTTLS or STLS after the greeting, and for SMTP after EHLO),
// and returns the client with the greeting read.
func Dial(ctx context.Context, t Target, o DialOptions) (*Client, *Reply, error) {
	if o.Network == "" {
		o.Network = "tcp"
	}
	cfg := tlsConfigFor(t, o.TLSConfig)
	d := net.Dialer{Timeout: o.Timeout}
	conn, err := d.DialContext(ctx, o.Network, t.Addr())
	if err != nil {
		return nil, nil, &ConnectError{Addr: t.Addr(), Reason: dialReason(err, o.Timeout), Err: err}
	}
	if t.ImplicitTLS {
		tc := tls.Client(conn, cfg)
		if o.Timeout > 0 {
			tc.SetDeadline(time.Now().Add(o.Timeout))
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, nil, &TLSError{Err: err, Proto: t.Proto}
		}
		tc.SetDeadline(time.Time{})
		conn = tc
	}
	c := newClient(conn, t.Proto, o.Observe, o.Protocols)
	c.TLSConfig = cfg
	c.KeepSecrets = o.KeepSecrets
	if o.Timeout > 0 {
		c.Timeout = o.Timeout
	}
	if t.Proto != nil && t.Proto.Spec().Unframed {
		return c, nil, nil // nothing to wait for
	}
	rep, err := c.Greeting()
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if t.StartTLS && rep.Class() == ClassPositive {
		if err := c.StartTLS(o.EHLOName); err != nil {
			c.Close()
			return nil, rep, err
		}
	}
	return c, rep, nil
}

// CanStartTLS says whether the connection may be upgraded now, and with
// which verb. RFC 3207 §4 and RFC 2595 §4 allow it only between
// transactions (SMTP) or before logging in (POP3). SMTP's STARTTLS also
// needs the EHLO reply to have listed it, once there is one.
func (c *Client) CanStartTLS() (verb string, err error) {
	if c.TLS() != nil {
		return "", errors.New("the connection already uses TLS")
	}
	spec := c.Machine.Protocol().Spec()
	verb = spec.StartTLS
	if verb == "" {
		return "", fmt.Errorf("%s has no STARTTLS; use %s:// for TLS from the start", c.Machine.Protocol(), spec.SchemeTLS)
	}
	snap := c.Machine.Snapshot()
	if !TableFor(snap.Proto).Lookup(verb).ValidIn(snap.State) {
		return verb, fmt.Errorf("%s is not valid now: %s; nothing was sent", verb, snap.State.Describe())
	}
	if spec.Hello != "" && snap.CapsKnown && !snap.Has(verb) {
		return verb, notOffered(verb, spec.Hello)
	}
	return verb, nil
}

// notOffered says that the reply to hello did not list verb.
func notOffered(verb, hello string) error {
	return fmt.Errorf("the server does not offer %s (not in its %s reply)", verb, hello)
}

// StartTLS upgrades the session to TLS with STARTTLS (RFC 3207), after an
// EHLO if none was sent yet, or with STLS (RFC 2595). The commands are
// sent like any other, so observers see them.
func (c *Client) StartTLS(ehloName string) error {
	verb, err := c.CanStartTLS()
	if err != nil {
		return err
	}
	if hello := c.Machine.Protocol().Spec().Hello; hello != "" {
		if !c.Machine.Snapshot().CapsKnown {
			if ehloName == "" {
				ehloName = DefaultEHLOName()
			}
			_, rep, err := c.Command(hello + " " + ehloName)
			if err != nil {
				return err
			}
			if rep.Class() != ClassPositive {
				return &ReplyError{Command: hello, Reply: rep}
			}
		}
		if !c.Machine.Snapshot().Has(verb) {
			return notOffered(verb, hello)
		}
	}
	_, rep, err := c.Command(verb)
	if err != nil {
		return err
	}
	if rep.Class() != ClassPositive {
		return &ReplyError{Command: verb, Reply: rep}
	}
	return nil
}

// DefaultEHLOName is the name mailsh gives in EHLO when it must send one:
// this host's name if it looks like a domain, else "localhost".
func DefaultEHLOName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \t") {
		return "localhost"
	}
	return h
}

func tlsConfigFor(t Target, base *tls.Config) *tls.Config {
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = t.Host
	}
	return cfg
}

// dialReason turns a dial error into the short reason a person needs.
func dialReason(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "no such host"
	case errors.As(err, &dnsErr):
		return "cannot resolve the host name: " + dnsErr.Err
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens on that port)"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("timed out after %v", timeout)
	}
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}
