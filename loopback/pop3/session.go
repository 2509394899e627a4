package pop3

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
)

// session is the state of one POP3 connection.
type session struct {
	*loopback.Conn

	// AUTHORIZATION state (RFC 1939 §4).
	stamp        string // the greeting's APOP timestamp (RFC 1939 §7)
	userGiven    bool   // USER was accepted: PASS comes next
	userName     string
	authFailures int

	// TRANSACTION state (RFC 1939 §5), from login to the end.
	account string
	msgs    []*loopback.Message
	files   *loopback.MessageFiles // opens msgs' files for RETR and TOP
	unlock  func()
	// pending, while not nil, is the maildrop's listing being read after
	// the login's reply (a large maildrop): the next command waits for it.
	pending *pendingListing

	counts loopback.FaultCounts
}

// state maps the session onto proto's POP3 states.
func (s *session) state() proto.State {
	switch {
	case s.account != "":
		return pop3.Transaction
	case s.userGiven:
		return pop3.User
	}
	return pop3.Authorization
}

// serve runs a POP3 session from greeting to close.
func serve(c *loopback.Conn, refused *loopback.Refusal) {
	s := &session{Conn: c}
	start := time.Now()
	c.Logf("connection from %s", c.RemoteAddr())
	defer func() {
		if s.pending != nil {
			<-s.pending.done
		}
		if s.unlock != nil {
			s.unlock()
		}
		if s.files != nil {
			s.files.Close()
		}
		c.Logf("closed after %s", time.Since(start).Round(time.Millisecond))
	}()
	if refused != nil {
		c.Logf("refused: %s", refused)
		s.send(pRefused(refused))
		c.Writer().Flush()
		return
	}
	if o := s.fault("pop3.connect", loopback.IPString(c.RemoteIP()), ""); o.Decided() {
		if o.Reply != nil {
			s.send(o.Reply.(pop3Reply))
			c.Writer().Flush()
		}
		return
	}
	s.stamp = fmt.Sprintf("<%d.%d@%s>", os.Getpid(), time.Now().UnixNano(), c.Server().Domain())
	if s.send(pGreeting(c.Server().Domain(), s.stamp)) != nil {
		return
	}
	for {
		line, err := c.ReadCommand()
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
			case errors.Is(err, loopback.ErrShutdown):
				s.send(pShuttingDown)
				c.Writer().Flush()
			case loopback.IsTimeout(err):
				c.Logf("%s: closed", c.DescribeTimeout())
			}
			return
		}
		if err := s.dispatch(line); err != nil {
			if !errors.Is(err, loopback.ErrDrop) {
				c.Writer().Flush()
			}
			if !errors.Is(err, loopback.ErrQuit) && !errors.Is(err, loopback.ErrDrop) && !errors.Is(err, loopback.ErrClosing) && !errors.Is(err, io.EOF) {
				c.Logf("%v", err)
			}
			return
		}
	}
}

func (s *session) send(r pop3Reply) error { return r.write(s.Writer()) }

// fault applies the fault rules to an event of this session.
func (s *session) fault(point, subject, arg string) loopback.FaultOutcome {
	return s.ApplyFaults(point, subject, arg, &s.counts)
}

func (s *session) applyFault(o loopback.FaultOutcome) error {
	if o.Drop {
		return loopback.ErrDrop
	}
	return s.send(o.Reply.(pop3Reply))
}

// dispatch runs one command line through proto's table.
func (s *session) dispatch(line string) error {
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
	if o := s.fault("pop3."+strings.ToLower(cmd.Name), subject, arg); o.Decided() {
		return s.applyFault(o)
	}
	if s.pending != nil {
		if err := s.awaitListing(); err != nil {
			return err
		}
	}
	return handlerFor(cmd.Name)(s, strings.TrimSpace(arg))
}

// msgArg reads a message number (RFC 1939 §5: "msg" counts from 1) and
// finds a message that is not marked deleted.
func (s *session) msgArg(arg string) (int, *loopback.Message, *pop3Reply) {
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
	if m.Deleted {
		r := errReply("", "Message %d is marked deleted", n)
		return 0, nil, &r
	}
	return n, m, nil
}

// live counts the messages not marked deleted and their size.
func (s *session) live() (n int, size int64) {
	for _, m := range s.msgs {
		if !m.Deleted {
			n++
			size += m.Size
		}
	}
	return n, size
}
