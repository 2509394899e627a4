package proto

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is where a session goes: protocol, host, port and how TLS starts.
type Target struct {
	// Proto is SMTP or POP3, or 0 to take it from the greeting.
	Proto Protocol
	Host  string
	Port  int
	// ImplicitTLS is true for smtps:// and pop3s:// (RFC 8314 §3.3).
	ImplicitTLS bool
	// StartTLS asks for STARTTLS (after EHLO) or STLS before anything else.
	StartTLS bool
	// User is a user name given in the URL, as in pop3://vmc@host.
	User string
}

// ParseTarget parses a URL such as smtp://mail.example.com:2525 or
// imaps://[::1] for one of the registry's protocols.
func (reg Registry) ParseTarget(s string) (Target, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Target{}, fmt.Errorf("%q is not a URL: write smtp://HOST[:PORT] or pop3://HOST[:PORT], or give HOST PORT", s)
	}
	t, ok := reg.scheme(strings.ToLower(scheme))
	if !ok {
		return Target{}, fmt.Errorf("unknown scheme %q: use %s", scheme, strings.Join(reg.Schemes(), ", "))
	}
	u, err := url.Parse("x://" + rest)
	if err != nil {
		return Target{}, fmt.Errorf("bad URL %q: %v", s, errors.Unwrap(err))
	}
	if u.Path != "" && u.Path != "/" {
		return Target{}, fmt.Errorf("bad URL %q: a mail server URL has no path", s)
	}
	t.Host = u.Hostname()
	if t.Host == "" {
		return Target{}, fmt.Errorf("bad URL %q: no host", s)
	}
	if p := u.Port(); p != "" {
		if t.Port, err = ParsePort(p); err != nil {
			return Target{}, err
		}
	}
	if t.Port == 0 {
		return Target{}, fmt.Errorf("bad URL %q: %s:// has no default port; give one, as in %s://%s:80", s, scheme, scheme, t.Host)
	}
	if u.User != nil {
		t.User = u.User.Username()
	}
	return t, nil
}

// ParsePort parses a port number or a service name such as "smtp".
func ParsePort(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 65535 {
			return 0, fmt.Errorf("bad port %q: ports run from 1 to 65535", s)
		}
		return n, nil
	}
	n, err := net.LookupPort("tcp", s)
	if err != nil {
		return 0, fmt.Errorf("bad port %q: not a number or a known service name", s)
	}
	return n, nil
}

// Addr returns host:port for dialling.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// URL returns the target as a URL, for prompts and transcripts.
func (t Target) URL() string {
	scheme := "tcp"
	if sp := t.Proto; sp != nil {
		scheme = sp.Scheme
		if t.ImplicitTLS {
			scheme = sp.SchemeTLS
		}
	}
	return scheme + "://" + t.Addr()
}

// IsLoopback reports whether the target host is this machine, where a
// password sent in clear text does not cross a network.
func (t Target) IsLoopback() bool {
	if strings.EqualFold(t.Host, "localhost") || strings.HasSuffix(strings.ToLower(t.Host), ".localhost") {
		return true
	}
	ip := net.ParseIP(t.Host)
	return ip != nil && ip.IsLoopback()
}
