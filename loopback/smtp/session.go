package smtp

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
)

// session is the state of one SMTP connection.
type session struct {
	*loopback.Conn

	// Session: what the greeting, EHLO/HELO, STARTTLS and AUTH set up
	// (RFC 5321 §4.1.4). It lasts across transactions.
	rejected     bool   // greeted with 554: only QUIT is useful (RFC 5321 §3.1)
	greeted      bool   // EHLO or HELO accepted
	esmtp        bool   // it was EHLO: extensions are in force (RFC 5321 §2.2.1)
	helo         string // the name the client gave
	user         string // the authenticated account, "" if none
	authFailures int

	// Transaction: from MAIL to the end of the message (RFC 5321 §3.3).
	// reset clears it.
	tx transaction

	// counts are the fault rules' counters.
	counts loopback.FaultCounts
	// messages counts the messages delivered, for the log.
	messages int
}

// transaction is one message's envelope and, during BDAT, its delivery.
type transaction struct {
	active bool   // MAIL was accepted
	from   string // the reverse-path, "" for <>
	utf8   bool   // MAIL had SMTPUTF8 (RFC 6531 §3.4)
	rcpts  []loopback.Recipient
	bdat   *loopback.Delivery // the delivery being fed by BDAT chunks (RFC 3030)
	bare   *bareCheck         // BDAT's watch for bare CR and LF
	chunks int64              // octets received in BDAT chunks so far
	start  time.Time
}

// reset abandons the transaction (RFC 5321 §4.1.1.5: RSET "any stored
// sender, recipients, and mail data MUST be discarded").
func (s *session) reset() {
	if s.tx.bdat != nil {
		s.tx.bdat.Abort()
	}
	s.tx = transaction{}
	s.counts.ResetTransaction()
}

// state maps the session onto proto's SMTP states, so that the server
// decides "valid now" from the same table as the client's state machine.
func (s *session) state() proto.State {
	switch {
	case s.rejected:
		return smtp.Rejected
	case !s.greeted:
		return smtp.Connected
	case s.tx.bdat != nil:
		return smtp.Bdat
	case len(s.tx.rcpts) > 0:
		return smtp.Rcpt
	case s.tx.active:
		return smtp.Mail
	}
	return smtp.Ready
}

// serve runs an SMTP session from greeting to close.
func serve(c *loopback.Conn, refused *loopback.Refusal) {
	s := &session{Conn: c}
	defer s.reset()
	start := time.Now()
	c.Logf("connection from %s", c.RemoteAddr())
	defer func() {
		c.Logf("closed after %s, %d message(s)", time.Since(start).Round(time.Millisecond), s.messages)
	}()
	domain := c.Server().Domain()
	if refused != nil {
		c.Logf("refused: %s", refused)
		s.send(rRefused(domain, refused))
		c.Writer().Flush()
		return
	}
	// The greeting, or a refusal by fault rule (RFC 5321 §3.1).
	if o := s.fault("connect", loopback.IPString(c.RemoteIP()), ""); o.Decided() {
		if o.Drop {
			return
		}
		if r := o.Reply.(Reply); s.send(r) != nil || r.closes() {
			c.Writer().Flush()
			return
		}
		s.rejected = true
	} else if err := s.send(rGreeting(domain)); err != nil {
		return
	}
	for {
		line, err := c.ReadCommand()
		if errors.Is(err, proto.ErrLineTooLong) {
			// RFC 5321 §4.5.3.1.9: "500 Line too long"; the reader
			// skipped the rest of the line, so the session goes on.
			if s.send(rLineTooLong(maxCommandLine+2)) != nil {
				return
			}
			continue
		}
		if err != nil {
			s.readFailed(err)
			return
		}
		if err := s.dispatch(line); err != nil {
			if !errors.Is(err, loopback.ErrQuit) && !errors.Is(err, loopback.ErrDrop) && !errors.Is(err, loopback.ErrClosing) && !errors.Is(err, io.EOF) {
				c.Logf("%v", err)
			}
			if !errors.Is(err, loopback.ErrDrop) {
				c.Writer().Flush()
			}
			return
		}
	}
}

// readFailed answers a failure to read a command: shutdown and idleness
// end the session with 421; a closed connection just ends it.
func (s *session) readFailed(err error) {
	domain := s.Server().Domain()
	switch {
	case errors.Is(err, loopback.ErrShutdown):
		s.send(rShuttingDown(domain))
	case loopback.IsTimeout(err):
		s.send(rTimeout(domain, s.Expiry(), s.TimeLimit()))
		s.Logf("%s: closed", s.DescribeTimeout())
	}
	s.Writer().Flush()
}

// send writes a reply; a 421 also ends the session (RFC 5321 §3.8).
func (s *session) send(r Reply) error {
	if err := r.write(s.Writer()); err != nil {
		return err
	}
	if r.closes() {
		return loopback.ErrClosing
	}
	return nil
}

// fault applies the fault rules to an event of this session.
func (s *session) fault(point, subject, arg string) loopback.FaultOutcome {
	return s.ApplyFaults(point, subject, arg, &s.counts)
}

// applyFault sends a fault rule's reply or drops the connection.
func (s *session) applyFault(o loopback.FaultOutcome) error {
	if o.Drop {
		return loopback.ErrDrop
	}
	return s.send(o.Reply.(Reply))
}

// dispatch runs one command line through proto's table: unknown verbs get
// 500, commands not valid in the current state 503, bad arguments 501,
// and the rest their handler, after the fault rules had their say.
func (s *session) dispatch(line string) error {
	verb, arg := proto.SplitCommand(line)
	cmd := smtp.Commands.Lookup(verb)
	if cmd == nil {
		if verb == "" {
			return s.send(reply(500, "5.5.2", "Empty command line: type a command, such as HELP"))
		}
		return s.send(rUnknownCommand(verb))
	}
	h := handlerFor(cmd.Name)
	rejection := s.check(cmd, arg)
	if cmd.Name == "BDAT" {
		// RFC 3030 §2: the chunk follows the command whatever the reply,
		// so the handler reads it before it answers.
		return s.bdat(arg, rejection)
	}
	if rejection != nil {
		return s.send(*rejection)
	}
	subject := arg
	if cmd.Name == "MAIL" || cmd.Name == "RCPT" {
		subject = smtp.PathAddress(arg)
	}
	if o := s.fault(strings.ToLower(cmd.Name), subject, arg); o.Decided() {
		return s.applyFault(o)
	}
	return h(s, arg)
}

// check says why a command may not run now, or returns nil.
func (s *session) check(cmd *proto.Command, arg string) *Reply {
	st := s.state()
	var r Reply
	switch {
	case s.rejected && cmd.Name != "QUIT":
		r = rRejectedSession
	case cmd.Ext != "" && s.greeted && !s.esmtp:
		r = rNeedsEHLO(cmd.Name)
	case !cmd.ValidIn(st):
		r = rBadSequence(cmd.Name, st)
	case cmd.Arity == proto.ArgRequired && strings.TrimSpace(arg) == "",
		cmd.Arity == proto.ArgNone && strings.TrimSpace(arg) != "":
		r = rSyntax(cmd)
	default:
		return nil
	}
	return &r
}

// protocolName is the "with" keyword of the Received field: RFC 3848
// (ESMTP, ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP…).
func (s *session) protocolName() string {
	if !s.esmtp {
		return "SMTP"
	}
	p := "ESMTP"
	if s.tx.utf8 {
		p = "UTF8SMTP"
	}
	switch {
	case s.TLS() != nil && s.user != "":
		p += "SA"
	case s.TLS() != nil:
		p += "S"
	case s.user != "":
		p += "A"
	}
	return p
}
