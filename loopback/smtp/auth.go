package smtp

import (
	"errors"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
)

// auth runs an SMTP AUTH exchange (RFC 4954 §4): challenges go out as
// "334 base64", responses come back as base64 lines. Neither the
// responses nor the initial response are ever logged.
func (s *session) auth(arg string) error {
	if s.user != "" {
		return s.send(rAuthAgain)
	}
	if !s.LoginAllowed() {
		return s.send(rAuthNeedsTLS)
	}
	mech, ir, hasIR := strings.Cut(strings.TrimSpace(arg), " ")
	m, ok := s.Server().NewSASLServer(mech)
	if !ok {
		return s.send(rAuthUnknownMech(mech))
	}
	// RFC 4954 §4: "334 " and the base64 challenge (empty for an empty
	// one); no enhanced code on a 3xx reply.
	r := s.SASL(m, ir, hasIR, func(challenge []byte) error {
		return s.send(Reply{Code: 334, Text: []string{proto.B64(challenge)}})
	})
	switch r.End {
	case loopback.SASLFinished:
		return s.authDone(strings.ToUpper(mech), m, r.Err, r.Delay)
	case loopback.SASLCancelled:
		return s.send(rAuthCancelled)
	case loopback.SASLBadBase64:
		return s.send(rAuthBadBase64)
	case loopback.SASLLineTooLong:
		return s.send(rAuthLineTooLong)
	}
	s.readFailed(r.IOErr)
	return loopback.ErrDrop
}

// authDone answers the end of an exchange; too many failures end the
// session.
func (s *session) authDone(mech string, m loopback.SASLServer, err error, delay time.Duration) error {
	switch {
	case err == nil:
		s.user = m.User()
		if s.TLS() == nil {
			s.Logf("AUTH %s: logged in as %s (credentials sent in clear text)", mech, s.user)
			return s.send(rAuthOKClear(mech))
		}
		s.Logf("AUTH %s: logged in as %s", mech, s.user)
		return s.send(rAuthOK)
	case errors.Is(err, loopback.ErrSASLSyntax):
		s.Logf("AUTH %s: malformed response", mech)
		return s.send(reply(501, "5.5.2", "Cannot read the %s response: see RFC 4954 §4", mech))
	}
	s.authFailures++
	s.Logf("AUTH %s: failed (%d), answered after %s", mech, s.authFailures, delay)
	if s.authFailures >= s.Server().Limits().MaxAuthFailures {
		return s.send(rAuthTooMany)
	}
	return s.send(rAuthFailed)
}
