package smtp

import (
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
)

// handler runs one command whose sequence and syntax were checked.
type handler func(s *session, arg string) error

// handlerFor is the server's dispatch: the handler of each command of
// smtp.Commands, which says when each is valid (a test checks that
// every command has one). BDAT has none here: dispatch reads its chunk
// whatever the reply (RFC 3030 §2).
func handlerFor(name string) handler {
	switch name {
	case "EHLO":
		return (*session).ehlo
	case "HELO":
		return (*session).heloCmd
	case "STARTTLS":
		return (*session).starttls
	case "AUTH":
		return (*session).auth
	case "MAIL":
		return (*session).mail
	case "RCPT":
		return (*session).rcpt
	case "DATA":
		return (*session).data
	case "RSET":
		return (*session).rset
	case "VRFY":
		return (*session).vrfy
	case "EXPN":
		return (*session).expn
	case "HELP":
		return (*session).help
	case "NOOP":
		return (*session).noop
	case "QUIT":
		return (*session).quit
	}
	return nil
}

// ehlo answers EHLO with the extensions in force (RFC 5321 §4.1.1.1). Like
// RSET, it ends any transaction (RFC 5321 §4.1.4).
func (s *session) ehlo(arg string) error {
	s.reset()
	s.greeted, s.esmtp, s.helo = true, true, strings.TrimSpace(arg)
	r := rHello(s.Server().Domain(), loopback.HeaderSafe(s.helo, 64), loopback.IPString(s.RemoteIP()))
	r.Text = append(r.Text, s.extensions()...)
	return s.send(r)
}

// extensions are the EHLO keywords offered now.
func (s *session) extensions() []string {
	ext := []string{
		"PIPELINING", // RFC 2920
		fmt.Sprintf("SIZE %d", s.Server().Limits().MaxMessageSize), // RFC 1870
		"8BITMIME",            // RFC 6152
		"ENHANCEDSTATUSCODES", // RFC 2034
		"SMTPUTF8",            // RFC 6531
		"CHUNKING",            // RFC 3030
	}
	if s.TLS() == nil && s.Server().TLSConfig() != nil {
		ext = append(ext, "STARTTLS") // RFC 3207
	}
	if s.authOffered() {
		ext = append(ext, "AUTH "+strings.Join(loopback.SASLMechanisms, " ")) // RFC 4954
	}
	return append(ext, "HELP")
}

// authOffered: AUTH is offered until it succeeds, and only where
// credentials may be sent (RFC 4954 §4 lets a server offer mechanisms
// only under TLS).
func (s *session) authOffered() bool {
	return s.user == "" && s.LoginAllowed()
}

// heloCmd answers HELO (RFC 5321 §4.1.1.1): no extensions.
func (s *session) heloCmd(arg string) error {
	s.reset()
	s.greeted, s.esmtp, s.helo = true, false, strings.TrimSpace(arg)
	return s.send(rHello(s.Server().Domain(), loopback.HeaderSafe(s.helo, 64), loopback.IPString(s.RemoteIP())))
}

// starttls upgrades the connection (RFC 3207 §4).
func (s *session) starttls(string) error {
	switch {
	case s.TLS() != nil:
		return s.send(rTLSActive)
	case s.Server().TLSConfig() == nil:
		return s.send(rTLSNotAvail)
	}
	if err := s.send(rReadyTLS); err != nil {
		return err
	}
	if err := s.Writer().Flush(); err != nil {
		return err
	}
	if err := s.StartTLS(); err != nil {
		s.Logf("TLS handshake failed: %v", err)
		return loopback.ErrDrop
	}
	// RFC 3207 §4.2: the server MUST discard any knowledge obtained from
	// the client, such as the argument to EHLO, not obtained from the TLS
	// negotiation itself.
	s.reset()
	s.greeted, s.esmtp, s.helo, s.user = false, false, "", ""
	s.Logf("TLS started: %s", s.TLSDescription())
	return nil
}

// rset abandons the transaction (RFC 5321 §4.1.1.5).
func (s *session) rset(string) error {
	s.reset()
	return s.send(rReset)
}

// vrfy answers 252 (RFC 5321 §3.5.3): it neither confirms nor denies.
func (s *session) vrfy(string) error { return s.send(rVrfy) }

// expn refuses (RFC 5321 §3.5.2, §7.3).
func (s *session) expn(string) error { return s.send(rNoExpn) }

// noop does nothing (RFC 5321 §4.1.1.9).
func (s *session) noop(string) error { return s.send(rNoop) }

// quit says goodbye and closes (RFC 5321 §4.1.1.10).
func (s *session) quit(string) error {
	s.send(rBye(s.Server().Domain()))
	return loopback.ErrQuit
}

// help lists the commands valid now, or explains one (RFC 5321
// §4.1.1.8), from proto's table.
func (s *session) help(arg string) error {
	arg = strings.TrimSpace(arg)
	if arg != "" {
		cmd := smtp.Commands.Lookup(arg)
		if cmd == nil {
			return s.send(rHelpUnknown(arg))
		}
		line := cmd.Name
		if cmd.Syntax != "" {
			line += " " + cmd.Syntax
		}
		return s.send(rHelp([]string{line, cmd.Help + " (" + cmd.RFC + ")"}))
	}
	st := s.state()
	var valid []string
	for _, c := range smtp.Commands {
		if c.ValidIn(st) && s.offered(c) {
			valid = append(valid, c.Name)
		}
	}
	return s.send(rHelp([]string{
		"mailsh loopback server; now: " + st.Describe(),
		"Commands valid now: " + strings.Join(valid, " "),
		"HELP <command> explains one",
	}))
}

// offered reports whether an extension's command is usable now.
func (s *session) offered(c *proto.Command) bool {
	switch c.Name {
	case "STARTTLS":
		return s.TLS() == nil && s.Server().TLSConfig() != nil
	case "AUTH":
		return s.authOffered()
	}
	return c.Ext == "" || s.esmtp || !s.greeted
}
