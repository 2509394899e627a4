package loopback

import (
	"errors"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// auth runs an SMTP AUTH exchange (RFC 4954 §4): challenges go out as
// "334 base64", responses come back as base64 lines. Neither the
// responses nor the initial response are ever logged.
func (s *smtpSession) auth(arg string) error {
	if s.user != "" {
		return s.send(rAuthAgain)
	}
	if !s.loginAllowed() {
		return s.send(rAuthNeedsTLS)
	}
	mech, ir, hasIR := strings.Cut(strings.TrimSpace(arg), " ")
	m, ok := s.srv.newSASLServer(mech)
	if !ok {
		return s.send(rAuthUnknownMech(mech))
	}
	var resp []byte
	if hasIR {
		b, cancelled, err := decodeResponse(ir)
		switch {
		case cancelled:
			return s.send(rAuthCancelled)
		case err != nil:
			return s.send(rAuthBadBase64)
		}
		resp = b
	}
	for {
		// Credentials are checked in the client address's turn, and a
		// failure waits there (authguard.go).
		var challenge []byte
		var done bool
		var err error
		_, delay, gerr := s.checkLogin(func() bool {
			challenge, done, err = m.Next(resp)
			return !errors.Is(err, errBadCredentials)
		})
		if gerr != nil {
			s.readFailed(gerr)
			return errDrop
		}
		if done {
			return s.authDone(strings.ToUpper(mech), m, err, delay)
		}
		// RFC 4954 §4: "334 " and the base64 challenge (empty for an
		// empty one); no enhanced code on a 3xx reply.
		if err := s.send(Reply{Code: 334, Text: []string{proto.B64(challenge)}}); err != nil {
			return err
		}
		line, err := s.readCommand()
		if errors.Is(err, proto.ErrLineTooLong) {
			return s.send(rAuthLineTooLong)
		}
		if err != nil {
			s.readFailed(err)
			return errDrop
		}
		b, cancelled, derr := decodeResponse(line)
		switch {
		case cancelled:
			return s.send(rAuthCancelled)
		case derr != nil:
			return s.send(rAuthBadBase64)
		}
		resp = b
	}
}

// authDone answers the end of an exchange; too many failures end the
// session.
func (s *smtpSession) authDone(mech string, m saslServer, err error, delay time.Duration) error {
	switch {
	case err == nil:
		s.user = m.User()
		if s.tls == nil {
			s.logf("AUTH %s: logged in as %s (credentials sent in clear text)", mech, s.user)
			return s.send(rAuthOKClear(mech))
		}
		s.logf("AUTH %s: logged in as %s", mech, s.user)
		return s.send(rAuthOK)
	case errors.Is(err, errSASLSyntax):
		s.logf("AUTH %s: malformed response", mech)
		return s.send(reply(501, "5.5.2", "Cannot read the %s response: see RFC 4954 §4", mech))
	}
	s.authFailures++
	s.logf("AUTH %s: failed (%d), answered after %s", mech, s.authFailures, delay)
	if s.authFailures >= s.srv.limits.MaxAuthFailures {
		return s.send(rAuthTooMany)
	}
	return s.send(rAuthFailed)
}
