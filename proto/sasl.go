package proto

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// SASLClient computes the client side of a SASL exchange one step at a
// time, so that a caller can show each challenge and response. The
// mechanisms here are a few lines each over the standard library;
// github.com/emersion/go-sasl lacks CRAM-MD5 and XOAUTH2.
type SASLClient interface {
	// Name is the mechanism name sent with AUTH, such as "PLAIN".
	Name() string
	// Start returns the initial response (RFC 4954 §4), if the mechanism
	// sends one with the AUTH command.
	Start() (ir []byte, ok bool)
	// Next answers a decoded server challenge.
	Next(challenge []byte) ([]byte, error)
}

// Mechanisms lists the SASL mechanisms mailsh can compute, strongest first.
var Mechanisms = []string{"CRAM-MD5", "XOAUTH2", "PLAIN", "LOGIN"}

// NewSASLClient returns a client for the named mechanism. For XOAUTH2 the
// secret is the OAuth 2.0 access token; otherwise it is the password.
func NewSASLClient(mech, user, secret string) (SASLClient, error) {
	switch strings.ToUpper(mech) {
	case "PLAIN":
		return &plainClient{user: user, pass: secret}, nil
	case "LOGIN":
		return &loginClient{user: user, pass: secret}, nil
	case "CRAM-MD5":
		return &cramClient{user: user, pass: secret}, nil
	case "XOAUTH2":
		return &xoauth2Client{user: user, token: secret}, nil
	}
	return nil, fmt.Errorf("unsupported SASL mechanism %q (mailsh knows %s)", mech, strings.Join(Mechanisms, ", "))
}

// PlainResponse is the RFC 4616 §2 message: [authzid] NUL authcid NUL passwd.
func PlainResponse(authzid, user, pass string) []byte {
	return []byte(authzid + "\x00" + user + "\x00" + pass)
}

type plainClient struct{ user, pass string }

func (c *plainClient) Name() string { return "PLAIN" }
func (c *plainClient) Start() ([]byte, bool) {
	return PlainResponse("", c.user, c.pass), true
}
func (c *plainClient) Next(challenge []byte) ([]byte, error) {
	// RFC 4616 §2: a server that sent an empty challenge gets the message.
	if len(challenge) == 0 {
		return PlainResponse("", c.user, c.pass), nil
	}
	return nil, errors.New("PLAIN: unexpected challenge from server")
}

// loginClient answers the LOGIN mechanism's "Username:" and "Password:"
// prompts (draft-murchison-sasl-login).
type loginClient struct {
	user, pass string
	step       int
}

func (c *loginClient) Name() string          { return "LOGIN" }
func (c *loginClient) Start() ([]byte, bool) { return nil, false }
func (c *loginClient) Next(challenge []byte) ([]byte, error) {
	c.step++
	ch := strings.ToLower(string(challenge))
	switch {
	case strings.Contains(ch, "user"):
		return []byte(c.user), nil
	case strings.Contains(ch, "pass"):
		return []byte(c.pass), nil
	case c.step == 1:
		return []byte(c.user), nil
	case c.step == 2:
		return []byte(c.pass), nil
	}
	return nil, errors.New("LOGIN: unexpected third challenge from server")
}

// CRAMMD5Response is the RFC 2195 §2 response: the user name, a space, and
// the hex HMAC-MD5 of the challenge keyed with the password.
func CRAMMD5Response(user, pass string, challenge []byte) []byte {
	h := hmac.New(md5.New, []byte(pass))
	h.Write(challenge)
	return []byte(user + " " + hex.EncodeToString(h.Sum(nil)))
}

type cramClient struct {
	user, pass string
	done       bool
}

func (c *cramClient) Name() string          { return "CRAM-MD5" }
func (c *cramClient) Start() ([]byte, bool) { return nil, false }
func (c *cramClient) Next(challenge []byte) ([]byte, error) {
	if c.done {
		return nil, errors.New("CRAM-MD5: unexpected second challenge from server")
	}
	c.done = true
	return CRAMMD5Response(c.user, c.pass, challenge), nil
}

// XOAUTH2Response is the initial client response of Google's and
// Microsoft's XOAUTH2 mechanism: "user=" user ^A "auth=Bearer " token ^A^A.
func XOAUTH2Response(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

type xoauth2Client struct{ user, token string }

func (c *xoauth2Client) Name() string { return "XOAUTH2" }
func (c *xoauth2Client) Start() ([]byte, bool) {
	return XOAUTH2Response(c.user, c.token), true
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, as the mechanism requires, so that the server sends its final
// failure reply.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) { return []byte{}, nil }

// B64 encodes data in standard base64, as SMTP AUTH and POP3 AUTH use.
func B64(data []byte) string { return base64.StdEncoding.EncodeToString(data) }

// UnB64 decodes base64, tolerating white space and missing padding, as a
// person pasting a blob expects.
func UnB64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("not valid base64: %w", err)
	}
	return b, nil
}
