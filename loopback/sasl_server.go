package loopback

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// SASLMechanisms are the SASL mechanisms the server offers, to every
// protocol's AUTH alike.
var SASLMechanisms = []string{"PLAIN", "LOGIN", "CRAM-MD5"}

// SASLServer is the server side of one SASL exchange (RFC 4422 §3): it is
// given each client response and answers with a challenge, until it has
// checked the credentials.
type SASLServer interface {
	// Next takes the next client response (the initial response first,
	// nil if there was none) and returns a challenge to send, or done.
	Next(resp []byte) (challenge []byte, done bool, err error)
	// User is the account logged in, once Next said done with no error.
	User() string
}

// SASL outcomes.
var (
	// ErrBadCredentials: a wrong user name or password.
	ErrBadCredentials = errors.New("authentication credentials invalid")
	// ErrSASLSyntax: a response the mechanism cannot read.
	ErrSASLSyntax = errors.New("malformed SASL response")
)

// NewSASLServer starts an exchange for a mechanism name, in any case.
func (s *Server) NewSASLServer(mech string) (SASLServer, bool) {
	switch strings.ToUpper(mech) {
	case "PLAIN":
		return &plainServer{srv: s}, true
	case "LOGIN":
		return &loginServer{srv: s}, true
	case "CRAM-MD5":
		return &cramServer{srv: s}, true
	}
	return nil, false
}

// plainServer is RFC 4616: one message, [authzid] NUL authcid NUL passwd.
type plainServer struct {
	srv   *Server
	user  string
	asked bool
}

func (p *plainServer) User() string { return p.user }

func (p *plainServer) Next(resp []byte) ([]byte, bool, error) {
	if resp == nil {
		if p.asked {
			return nil, true, ErrSASLSyntax
		}
		// RFC 4616 §2 / RFC 4422 §5: no initial response, so send an
		// empty challenge.
		p.asked = true
		return []byte{}, false, nil
	}
	parts := strings.Split(string(resp), "\x00")
	if len(parts) != 3 || parts[1] == "" {
		return nil, true, ErrSASLSyntax
	}
	authz, user, pass := parts[0], parts[1], parts[2]
	// RFC 4616 §2: acting for another identity is not allowed here.
	if authz != "" && !strings.EqualFold(authz, user) {
		return nil, true, ErrBadCredentials
	}
	a, ok := p.srv.checkPassword(user, pass)
	if !ok {
		return nil, true, ErrBadCredentials
	}
	p.user = a.Name
	return nil, true, nil
}

// loginServer is the LOGIN mechanism (draft-murchison-sasl-login): the
// prompts "Username:" and "Password:". An initial response is the user
// name.
type loginServer struct {
	srv        *Server
	step       int
	name, user string
}

func (l *loginServer) User() string { return l.user }

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case l.step == 0 && resp == nil:
		l.step = 1
		return []byte("Username:"), false, nil
	case l.step <= 1:
		l.name, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	}
	a, ok := l.srv.checkPassword(l.name, string(resp))
	if !ok {
		return nil, true, ErrBadCredentials
	}
	l.user = a.Name
	return nil, true, nil
}

// cramServer is RFC 2195: a challenge in msg-id form, answered with the
// user name and the HMAC-MD5 of the challenge keyed with the password,
// computed by proto.CRAMMD5Response as the client does.
type cramServer struct {
	srv       *Server
	challenge []byte
	user      string
}

func (c *cramServer) User() string { return c.user }

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		if resp != nil {
			// RFC 2195 has no initial response.
			return nil, true, ErrSASLSyntax
		}
		var r [8]byte
		rand.Read(r[:])
		c.challenge = []byte(fmt.Sprintf("<%s.%d@%s>", hex.EncodeToString(r[:]), time.Now().Unix(), c.srv.cfg.Domain))
		return c.challenge, false, nil
	}
	name, _, ok := strings.Cut(string(resp), " ")
	if !ok {
		return nil, true, ErrSASLSyntax
	}
	a, known := c.srv.account(name)
	if !known {
		// Compute a digest anyway, so that an unknown name takes as long
		// as a wrong password and the reply is the same.
		a = Account{Name: name, Password: "\x00no such account"}
	}
	want := proto.CRAMMD5Response(a.Name, a.Password, c.challenge)
	// The name may differ in case from the account's: compare digests.
	_, wantDigest, _ := strings.Cut(string(want), " ")
	_, gotDigest, _ := strings.Cut(string(resp), " ")
	if !hmac.Equal([]byte(strings.ToLower(gotDigest)), []byte(wantDigest)) || !known {
		return nil, true, ErrBadCredentials
	}
	c.user = a.Name
	return nil, true, nil
}

// decodeResponse reads a SASL response line: "*" cancels, "=" alone is an
// empty initial response, anything else is base64 (as RFC 4954 §4 and RFC
// 5034 §4 have it).
func decodeResponse(line string) (resp []byte, cancelled bool, err error) {
	line = strings.TrimSpace(line)
	switch line {
	case "*":
		return nil, true, nil
	case "=", "":
		return []byte{}, false, nil
	}
	b, err := proto.UnB64(line)
	if err != nil {
		return nil, false, err
	}
	return b, false, nil
}

// SASLEnd says how a SASL exchange ended.
type SASLEnd int

const (
	SASLFinished    SASLEnd = iota // the mechanism decided: Err is its verdict (nil: logged in)
	SASLCancelled                  // the client answered "*"
	SASLBadBase64                  // an answer that is not base64
	SASLLineTooLong                // an answer longer than a command line may be
	SASLGuardFailed                // the login guard gave up (the server shuts down): IOErr
	SASLIOFailed                   // the connection failed: IOErr
)

// SASLResult is how a SASL exchange ended, for the protocol's reply.
type SASLResult struct {
	End   SASLEnd
	Err   error         // the mechanism's verdict, with SASLFinished
	Delay time.Duration // how long a failure waited (authguard.go)
	IOErr error
}

// SASL runs the exchange of mechanism m (RFC 4422) after an AUTH command,
// for every protocol alike: the initial response if there is one, then
// each challenge sent through challenge and each answer read back.
// Credentials are checked in the client address's turn, and a failure
// waits there. The protocol turns the result into its own reply.
func (c *Conn) SASL(m SASLServer, ir string, hasIR bool, challenge func([]byte) error) SASLResult {
	var resp []byte
	if hasIR {
		b, cancelled, err := decodeResponse(ir)
		switch {
		case cancelled:
			return SASLResult{End: SASLCancelled}
		case err != nil:
			return SASLResult{End: SASLBadBase64}
		}
		resp = b
	}
	for {
		var ch []byte
		var done bool
		var err error
		_, delay, gerr := c.CheckLogin(func() bool {
			ch, done, err = m.Next(resp)
			return !errors.Is(err, ErrBadCredentials)
		})
		if gerr != nil {
			return SASLResult{End: SASLGuardFailed, IOErr: gerr}
		}
		if done {
			return SASLResult{End: SASLFinished, Err: err, Delay: delay}
		}
		if err := challenge(ch); err != nil {
			return SASLResult{End: SASLIOFailed, IOErr: err}
		}
		line, err := c.ReadCommand()
		if errors.Is(err, proto.ErrLineTooLong) {
			return SASLResult{End: SASLLineTooLong}
		}
		if err != nil {
			return SASLResult{End: SASLIOFailed, IOErr: err}
		}
		b, cancelled, derr := decodeResponse(line)
		switch {
		case cancelled:
			return SASLResult{End: SASLCancelled}
		case derr != nil:
			return SASLResult{End: SASLBadBase64}
		}
		resp = b
	}
}
