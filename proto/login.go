package proto

import (
	"errors"
	"fmt"
	"strings"
)

// Login says how a protocol logs in, for Client.Login and :auth: the
// states where it may, the protocol's own way besides SASL, and whether
// SASL needs the server to list its mechanisms first.
type Login struct {
	// States are where a login may start.
	States []State
	// Plain names the protocol's own login with a user name and a
	// password, used when no mechanism is asked for and none is
	// advertised (or always, with PreferPlain): POP3's USER and PASS,
	// IMAP's LOGIN; empty for none.
	Plain       string
	PreferPlain bool
	// PlainLogin runs the protocol's own login.
	PlainLogin func(c *Client, user, pass string) (*Reply, error)
	// PlainOff is the capability with which a server refuses Plain until
	// TLS (IMAP's LOGINDISABLED, RFC 9051 §6.2.3); empty for none.
	PlainOff string
	// Digest names a login that keeps the password off the wire with the
	// greeting's timestamp (POP3's APOP); empty for none. DigestLogin
	// runs it.
	Digest      string
	DigestLogin func(c *Client, user, pass string) (*Reply, error)
	// NeedMechanisms: SASL is refused when the server lists no
	// mechanism (SMTP, where AUTH is an extension).
	NeedMechanisms bool
	// Where says in words where a login starts, for the refusal.
	Where string
	// Methods are the ways offered besides the advertised mechanisms,
	// for completion, with when each is offered.
	Methods []LoginMethod
}

// LoginMethod is a way to log in other than a SASL mechanism.
type LoginMethod struct {
	Name, Help string
	Offer      func(*Snapshot) bool
}

// LoginMethods lists how :auth may log in now: the protocol's own ways
// and the SASL mechanisms the server advertised.
func (s *Snapshot) LoginMethods() []Word {
	var out []Word
	if l := s.Proto.Spec().Login; l != nil {
		for _, m := range l.Methods {
			if m.Offer == nil || m.Offer(s) {
				out = append(out, Word{Text: m.Name, Help: m.Help})
			}
		}
	}
	for _, m := range s.AuthMechanisms() {
		out = append(out, Word{Text: m})
	}
	return out
}

// ChooseLogin checks that a login may start now and picks how: mech as
// asked (a warning if the server did not advertise it), or else a SASL
// mechanism the server advertised — one that keeps the password off the
// wire when the connection is clear text to another host (safe false) —
// or else the protocol's own login.
func (c *Client) ChooseLogin(mech string, safe bool) (method, warning string, err error) {
	snap := c.Machine.Snapshot()
	l := snap.Proto.Spec().Login
	if l == nil {
		return "", "", fmt.Errorf("%s has no login", snap.Proto)
	}
	valid := false
	for _, st := range l.States {
		valid = valid || st == snap.State
	}
	if !valid {
		return "", "", fmt.Errorf("%s (now: %s)", l.Where, snap.State.Describe())
	}
	mechs := snap.AuthMechanisms()
	mech = strings.ToUpper(mech)
	switch {
	case mech == "" && len(mechs) == 0 && l.NeedMechanisms:
		return "", "", errors.New("the server advertised no AUTH mechanisms (send EHLO; some servers offer AUTH only after STARTTLS)")
	case mech == "" && len(mechs) > 0 && !l.PreferPlain:
		if mech = chooseMech(mechs, safe); mech == "" && l.NeedMechanisms {
			return "", "", fmt.Errorf("none of the server's mechanisms (%s) is one mailsh can compute", strings.Join(mechs, " "))
		}
	}
	switch {
	case mech == "" || mech == l.Plain && !containsFold(mechs, mech):
		if l.Plain == "" {
			return "", "", errors.New("give a mechanism: :auth MECH")
		}
		if l.PlainOff != "" && snap.CapsKnown && snap.Has(l.PlainOff) {
			return "", "", fmt.Errorf("the server advertises %s: use :starttls first, or a SASL mechanism", l.PlainOff)
		}
		return "plain", "", nil
	case mech == l.Digest && l.Digest != "":
		return "digest", "", nil
	case len(mechs) > 0 && !containsFold(mechs, mech):
		warning = fmt.Sprintf("the server did not advertise %s (it offers %s); trying anyway", mech, strings.Join(mechs, " "))
	}
	return mech, warning, nil
}

// ClearTextLogin reports whether a login by method sends the password
// itself (not a digest of it) over the connection.
func ClearTextLogin(method string) bool {
	switch method {
	case "plain", "PLAIN", "LOGIN", "XOAUTH2":
		return true
	}
	return false
}

// Login logs in by a method ChooseLogin picked: the protocol's own
// login, its digest login, or a SASL mechanism; step, if not nil, is told
// of each SASL round.
func (c *Client) Login(method, user, secret string, step func(AuthStep)) (*Reply, error) {
	if l := c.Machine.Protocol().Spec().Login; l != nil {
		switch {
		case method == "plain" && l.PlainLogin != nil:
			return l.PlainLogin(c, user, secret)
		case method == "digest" && l.DigestLogin != nil:
			return l.DigestLogin(c, user, secret)
		}
	}
	sc, err := NewSASLClient(method, user, secret)
	if err != nil {
		return nil, err
	}
	return c.Authenticate(sc, secret, step)
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
		if containsFold(offered, m) {
			return m
		}
	}
	return ""
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
