package shell

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/proto"
)

// metaAuth logs in, as the protocol's Login says: a SASL mechanism the
// server advertised, or the protocol's own login (POP3's USER/PASS and
// APOP, IMAP's LOGIN), asking for the password without echo.
func (s *Session) metaAuth(_ context.Context, args []string) error {
	if s.Client == nil || s.Client.Closed() {
		return errors.New("not connected")
	}
	snap := s.Client.Machine.Snapshot()
	if snap.Authenticated {
		return errors.New("already logged in")
	}
	mech, user := "", s.Opts.User
	if len(args) > 0 {
		mech = strings.ToUpper(args[0])
	}
	if len(args) > 1 {
		user = args[1]
	}
	if len(args) > 2 {
		return errors.New("usage: :auth [MECH] [USER]")
	}
	method, warning, err := s.Client.ChooseLogin(mech, s.Client.TLS() != nil || s.Target.IsLoopback())
	if err != nil {
		return err
	}
	if warning != "" {
		s.P.Warn("%s", warning)
	}
	mech = method
	user, err = s.askUser(user)
	if err != nil {
		return err
	}
	what := "password"
	if mech == "XOAUTH2" {
		what = "OAuth 2.0 access token"
	}
	if proto.ClearTextLogin(mech) {
		name := mech
		if mech == "plain" {
			name = snap.Proto.Spec().Login.Plain
		}
		if err := s.checkCleartext(name); err != nil {
			return err
		}
	}
	secret, err := s.Secrets.Secret(fmt.Sprintf("%s for %s: ", what, user))
	if err != nil {
		return err
	}
	rep, err := s.Client.Login(mech, user, secret, func(st proto.AuthStep) {
		if st.Challenge != nil {
			s.P.Say("%s challenge: %s", mech, termsafe.Quote(string(st.Challenge)))
		}
		s.P.Say("%s %s (sent base64-encoded)", mech, st.Shown)
	})
	return s.after(rep, err)
}

func (s *Session) askUser(user string) (string, error) {
	if user != "" {
		return user, nil
	}
	if s.Opts.AskUser == nil {
		return "", errors.New("a user name is needed: give it as :auth MECH USER, --user NAME, or in the URL (pop3://NAME@host)")
	}
	return s.Opts.AskUser("user: ")
}
