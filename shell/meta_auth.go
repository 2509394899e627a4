package shell

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// metaAuth logs in. SMTP: AUTH with a mechanism the server advertised
// (RFC 4954). POP3: USER/PASS or APOP (RFC 1939 §7), or AUTH (RFC 5034).
// IMAP: AUTHENTICATE with an advertised mechanism (RFC 9051 §6.2.2), or
// LOGIN (§6.2.3) when none is.
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
	if snap.Proto == proto.SMTP {
		if snap.State != proto.SMTPReady {
			return fmt.Errorf("AUTH is sent after EHLO and outside a transaction (now: %s)", snap.State.Describe())
		}
		mechs := snap.AuthMechanisms()
		if len(mechs) == 0 {
			return errors.New("the server advertised no AUTH mechanisms (send EHLO; some servers offer AUTH only after STARTTLS)")
		}
		if mech == "" {
			mech = chooseMech(mechs, s.Client.TLS() != nil || s.Target.IsLoopback())
			if mech == "" {
				return fmt.Errorf("none of the server's mechanisms (%s) is one mailsh can compute", strings.Join(mechs, " "))
			}
		} else if !contains(mechs, mech) {
			s.P.Warn("the server did not advertise %s (it offers %s); trying anyway", mech, strings.Join(mechs, " "))
		}
	} else if snap.Proto == proto.IMAP {
		if snap.State != proto.IMAPNotAuth {
			return fmt.Errorf("log in from the not-authenticated state (now: %s)", snap.State.Describe())
		}
		mechs := snap.AuthMechanisms()
		switch {
		case mech == "" && len(mechs) > 0:
			mech = chooseMech(mechs, s.Client.TLS() != nil || s.Target.IsLoopback())
		case mech == "LOGIN" && !contains(mechs, "LOGIN"):
			// Not the SASL mechanism: IMAP's own LOGIN command.
			mech = "IMAP-LOGIN"
		}
		if mech == "" {
			mech = "IMAP-LOGIN"
		}
		if mech == "IMAP-LOGIN" && snap.Has("LOGINDISABLED") && snap.CapaKnown {
			return errors.New("the server advertises LOGINDISABLED: use :starttls first, or a SASL mechanism")
		}
	} else {
		if snap.State != proto.POP3Authorization {
			return fmt.Errorf("log in from the AUTHORIZATION state (now: %s)", snap.State.Describe())
		}
		if mech == "" {
			mech = "USER"
		}
	}
	user, err := s.askUser(user)
	if err != nil {
		return err
	}
	what := "password"
	if mech == "XOAUTH2" {
		what = "OAuth 2.0 access token"
	}
	if mech == "PLAIN" || mech == "LOGIN" || mech == "USER" || mech == "XOAUTH2" || mech == "IMAP-LOGIN" {
		if err := s.checkCleartext(mech); err != nil {
			return err
		}
	}
	secret, err := s.Secrets.Secret(fmt.Sprintf("%s for %s: ", what, user))
	if err != nil {
		return err
	}
	var rep *proto.Reply
	switch mech {
	case "USER":
		rep, err = s.Client.LoginUserPass(user, secret)
	case "APOP":
		rep, err = s.Client.LoginAPOP(user, secret)
	case "IMAP-LOGIN":
		rep, err = s.Client.LoginIMAP(user, secret)
	default:
		sc, serr := proto.NewSASLClient(mech, user, secret)
		if serr != nil {
			return serr
		}
		rep, err = s.Client.Authenticate(sc, secret, func(st proto.AuthStep) {
			if st.Challenge != nil {
				s.P.Say("%s challenge: %q", mech, st.Challenge)
			}
			s.P.Say("%s %s (sent base64-encoded)", mech, st.Shown)
		})
	}
	return s.after(rep, err)
}

// chooseMech picks a mechanism: one that keeps the password off the wire
// (CRAM-MD5) when the connection is in clear text to another host, else
// the simplest (PLAIN, LOGIN).
func chooseMech(offered []string, safe bool) string {
	prefs := []string{"PLAIN", "LOGIN", "CRAM-MD5"}
	if !safe {
		prefs = []string{"CRAM-MD5", "PLAIN", "LOGIN"}
	}
	for _, m := range prefs {
		if contains(offered, m) {
			return m
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
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
