package smtp

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// mail starts a transaction (RFC 5321 §4.1.1.2) with the parameters of
// the extensions offered: SIZE (RFC 1870 §6), BODY (RFC 6152 §3),
// SMTPUTF8 (RFC 6531 §3.4) and AUTH (RFC 4954 §5).
func (s *session) mail(arg string) error {
	from, params, bad := parsePath(arg, "FROM")
	if bad != nil {
		return s.send(*bad)
	}
	utf8 := false
	for _, p := range params {
		key, val, hasVal := strings.Cut(p, "=")
		if !s.esmtp {
			// RFC 5321 §2.2.1: parameters come with EHLO's extensions.
			return s.send(rBadParam(p))
		}
		switch strings.ToUpper(key) {
		case "SIZE":
			n, err := strconv.ParseInt(val, 10, 64)
			if !hasVal || err != nil || n < 0 {
				return s.send(reply(501, "5.5.4", "Syntax: SIZE=<number of octets>"))
			}
			if n > s.Server().Limits().MaxMessageSize {
				return s.send(rDeclaredTooBig(s.Server().Limits().MaxMessageSize))
			}
		case "BODY":
			// RFC 6152 §3: 7BIT or 8BITMIME; BINARYMIME is not offered.
			if v := strings.ToUpper(val); v != "7BIT" && v != "8BITMIME" {
				return s.send(rBadParam(p))
			}
		case "SMTPUTF8":
			if hasVal {
				return s.send(rBadParam(p))
			}
			utf8 = true
		case "AUTH":
			// RFC 4954 §5: the AUTH parameter is accepted; this server
			// does not relay, so it has no use for it.
		default:
			return s.send(rBadParam(p))
		}
	}
	if !utf8 && !isASCII(from) {
		return s.send(rNeedsUTF8)
	}
	if s.Server().IsClosing() {
		return s.send(rShuttingDown(s.Server().Domain()))
	}
	s.tx = transaction{active: true, from: from, utf8: utf8, start: time.Now()}
	s.counts.ResetTransaction()
	return s.send(rSenderOK(from))
}

// rcpt adds a recipient (RFC 5321 §4.1.1.3): one of the served domain's
// accounts, or postmaster (RFC 5321 §4.5.1); every other domain is refused,
// since this server never relays.
func (s *session) rcpt(arg string) error {
	addr, params, bad := parsePath(arg, "TO")
	if bad != nil {
		return s.send(*bad)
	}
	if addr == "" {
		return s.send(rBadAddress("5.1.3", "a recipient cannot be the null path <>"))
	}
	if len(params) > 0 {
		// DSN (RFC 3461) is not offered, so NOTIFY and ORCPT are unknown.
		return s.send(rBadParam(params[0]))
	}
	if !s.tx.utf8 && !isASCII(addr) {
		return s.send(rNeedsUTF8)
	}
	for _, r := range s.tx.rcpts {
		if strings.EqualFold(r.Addr, addr) {
			return s.send(s.recipientOK(addr, r.Account))
		}
	}
	if len(s.tx.rcpts) >= s.Server().Limits().MaxRecipients {
		return s.send(rTooManyRecipients(s.Server().Limits().MaxRecipients))
	}
	account, refusal := s.route(addr)
	if refusal != nil {
		s.Logf("RCPT <%s> refused: %s", addr, refusal)
		return s.send(*refusal)
	}
	if g := greylistOf(s.Server().Faults()); g != nil && !g.list.pass(loopback.IPString(s.RemoteIP()), s.tx.from, addr, g.wait, time.Now()) {
		s.Logf("fault rule %q: greylisted <%s> -> <%s>", g.spec, s.tx.from, addr)
		return s.send(reply(451, "4.7.1", "Greylisted: first try from <%s> to <%s>; please try again later (fault rule %s)", s.tx.from, addr, g.spec))
	}
	s.tx.rcpts = append(s.tx.rcpts, loopback.Recipient{Addr: addr, Account: account})
	return s.send(s.recipientOK(addr, account))
}

// recipientOK is the 250 to an accepted RCPT: it says whose mailbox the
// message goes to, and whether a catch-all took the address.
func (s *session) recipientOK(addr, account string) Reply {
	cfg := s.Server().Config()
	if cfg.CatchAll != "" && strings.EqualFold(account, cfg.CatchAll) {
		local, _, _ := cutLast(addr, "@")
		if !strings.EqualFold(local, account) {
			return rRecipientCaught(addr, account)
		}
	}
	return rRecipientOK(addr, account)
}

// route finds the account an address is delivered to.
func (s *session) route(addr string) (string, *Reply) {
	cfg := s.Server().Config()
	local, domain, hasDomain := cutLast(addr, "@")
	if !hasDomain {
		// RFC 5321 §4.1.1.3: a bare "postmaster" is the server's own.
		return cfg.Accounts[0].Name, nil
	}
	if !strings.EqualFold(domain, cfg.Domain) && !s.isOwnLiteral(domain) {
		if cfg.CatchEveryDomain && cfg.CatchAll != "" {
			a, _ := s.Server().Account(cfg.CatchAll)
			return a.Name, nil
		}
		r := rRelayDenied(addr, cfg.Domain)
		return "", &r
	}
	if a, ok := s.Server().Account(local); ok {
		return a.Name, nil
	}
	// RFC 5321 §4.5.1: postmaster must be accepted.
	if strings.EqualFold(local, "postmaster") {
		return cfg.Accounts[0].Name, nil
	}
	if cfg.CatchAll != "" {
		a, _ := s.Server().Account(cfg.CatchAll)
		return a.Name, nil
	}
	r := rNoSuchUser(addr)
	return "", &r
}

// isOwnLiteral reports whether an address literal ("[127.0.0.1]",
// "[IPv6:::1]", RFC 5321 §4.1.3) names the address the client reached.
func (s *session) isOwnLiteral(domain string) bool {
	lit, ok := strings.CutPrefix(domain, "[")
	if !ok {
		return false
	}
	lit = strings.TrimSuffix(lit, "]")
	if v6, ok := cutPrefixFold(lit, "IPv6:"); ok {
		lit = v6
	}
	ip := net.ParseIP(lit)
	return ip != nil && ip.Equal(s.LocalIP())
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
