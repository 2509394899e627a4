package loopback

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
)

// pop3Session is the state of one POP3 connection.
type pop3Session struct {
	*conn

	// AUTHORIZATION state (RFC 1939 §4).
	stamp        string // the greeting's APOP timestamp (RFC 1939 §7)
	userGiven    bool   // USER was accepted: PASS comes next
	userName     string
	authFailures int

	// TRANSACTION state (RFC 1939 §5), from login to the end.
	account string
	msgs    []*message
	unlock  func()

	counts counts
}

// state maps the session onto proto's POP3 states.
func (s *pop3Session) state() proto.State {
	switch {
	case s.account != "":
		return pop3.Transaction
	case s.userGiven:
		return pop3.User
	}
	return pop3.Authorization
}

// servePOP3 runs a POP3 session from greeting to close.
func (c *conn) servePOP3(refused *refusal) {
	s := &pop3Session{conn: c}
	c.lr.Max = maxPOP3Line
	start := time.Now()
	c.logf("connection from %s", c.raw.RemoteAddr())
	defer func() {
		if s.unlock != nil {
			s.unlock()
		}
		c.logf("closed after %s", time.Since(start).Round(time.Millisecond))
	}()
	if refused != nil {
		c.logf("refused: %s", refused)
		s.send(pRefused(refused))
		c.bw.Flush()
		return
	}
	if o := s.fault("pop3.connect", ipString(c.remoteIP()), ""); o.decided() {
		if o.pop3 != nil {
			s.send(*o.pop3)
			c.bw.Flush()
		}
		return
	}
	s.stamp = fmt.Sprintf("<%d.%d@%s>", os.Getpid(), time.Now().UnixNano(), c.srv.cfg.Domain)
	if s.send(pGreeting(c.srv.cfg.Domain, s.stamp)) != nil {
		return
	}
	for {
		line, err := c.readCommand()
		if errors.Is(err, proto.ErrLineTooLong) {
			if s.send(pLineTooLong) != nil {
				return
			}
			continue
		}
		if err != nil {
			// RFC 1939 §3: when the autologout timer expires the server
			// closes without a reply and without entering UPDATE.
			switch {
			case errors.Is(err, errShutdown):
				s.send(pShuttingDown)
				c.bw.Flush()
			case isTimeout(err):
				c.logf("%s: closed", c.describeTimeout())
			}
			return
		}
		if err := s.dispatch(line); err != nil {
			if !errors.Is(err, errDrop) {
				c.bw.Flush()
			}
			if !errors.Is(err, errQuit) && !errors.Is(err, errDrop) && !errors.Is(err, errClosing) && !errors.Is(err, io.EOF) {
				c.logf("%v", err)
			}
			return
		}
	}
}

func (s *pop3Session) send(r pop3Reply) error { return r.write(s.bw) }

// fault applies the fault rules to an event of this session.
func (s *pop3Session) fault(point, subject, arg string) outcome {
	return s.applyRules(point, subject, arg, &s.counts)
}

func (s *pop3Session) applyFault(o outcome) error {
	if o.drop {
		return errDrop
	}
	return s.send(*o.pop3)
}

// dispatch runs one command line through proto's table.
func (s *pop3Session) dispatch(line string) error {
	verb, arg := proto.SplitCommand(line)
	cmd := pop3.Commands.Lookup(verb)
	if cmd == nil {
		return s.send(pUnknownCommand(verb))
	}
	st := s.state()
	switch {
	case !cmd.ValidIn(st):
		return s.send(pBadSequence(cmd.Name, st.Describe()))
	case cmd.Arity == proto.ArgRequired && strings.TrimSpace(arg) == "",
		cmd.Arity == proto.ArgNone && strings.TrimSpace(arg) != "":
		return s.send(pSyntax(cmd.Name, cmd.Syntax))
	}
	subject := arg
	if cmd.Name == "APOP" {
		subject, _, _ = strings.Cut(arg, " ")
	}
	if cmd.Name == "PASS" {
		subject = s.userName
	}
	if o := s.fault("pop3."+strings.ToLower(cmd.Name), subject, arg); o.decided() {
		return s.applyFault(o)
	}
	return pop3HandlerFor(cmd.Name)(s, strings.TrimSpace(arg))
}

// msgArg reads a message number (RFC 1939 §5: "msg" counts from 1) and
// finds a message that is not marked deleted.
func (s *pop3Session) msgArg(arg string) (int, *message, *pop3Reply) {
	n, err := strconv.Atoi(arg)
	if err != nil {
		r := pBadNumber
		return 0, nil, &r
	}
	if n < 1 || n > len(s.msgs) {
		r := errReply("", "No such message: there are %d", len(s.msgs))
		return 0, nil, &r
	}
	m := s.msgs[n-1]
	if m.deleted {
		r := errReply("", "Message %d is marked deleted", n)
		return 0, nil, &r
	}
	return n, m, nil
}

// live counts the messages not marked deleted and their size.
func (s *pop3Session) live() (n int, size int64) {
	for _, m := range s.msgs {
		if !m.deleted {
			n++
			size += m.size
		}
	}
	return n, size
}
