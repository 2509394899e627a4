package imap

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// learnt is what the machine knows of an IMAP session besides its
// capabilities and its messages, which the engine keeps.
type learnt struct {
	tagN      int      // the last tag mailsh gave: "a<tagN>"
	mailboxes []string // names LIST and LSUB returned, in their order
	selected  string   // the mailbox SELECT or EXAMINE opened
	readOnly  bool
	flags     []string // the selected mailbox's FLAGS

	// A command that waits on a "+" (a literal, AUTHENTICATE, IDLE)
	// leaves the state for a while: resume is where it goes back to.
	resume proto.State
	// litLeft counts the octets of the literal being typed still to go;
	// litWait is the size of a literal announced and waiting for "+"
	// (litAwait).
	litLeft, litWait int64
	litAwait         bool
	litSecret        bool // the literal belongs to a command with a secret
}

// newLearnt starts afresh, after the greeting or STARTTLS; the tags go on
// counting.
func newLearnt(old any) any {
	l := &learnt{}
	if o, ok := old.(*learnt); ok {
		l.tagN = o.tagN
	}
	return l
}

func of(s *proto.Session) *learnt { return s.Learnt().(*learnt) }

// maxMailboxes caps the mailbox names learnt, against a hostile server.
const maxMailboxes = 10000

// nextTag is the tag the next command typed without one gets.
func (l *learnt) nextTag() string { return "a" + strconv.Itoa(l.tagN+1) }

// SplitTag separates a tag typed at the start of a line from the command:
// "a1 LOGIN …" has one, "LOGIN …" has none. A first word that is a
// command of the table is never a tag.
func SplitTag(line string) (tag, rest string) {
	first, after, ok := strings.Cut(line, " ")
	if !ok || Commands.Lookup(first) != nil || first == "" {
		return "", line
	}
	for i := 0; i < len(first); i++ {
		// RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">.
		if c := first[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("(){%*\"\\+", c) >= 0 {
			return "", line
		}
	}
	return first, strings.TrimLeft(after, " ")
}

// classify says what a line is: a command, to which a tag is given if it
// has none, or the continuation of one (a literal's octets, a SASL
// answer, IDLE's DONE).
func classify(s *proto.Session, line string) *proto.Cmd {
	l := of(s)
	c := &proto.Cmd{Line: line, Shown: line, Valid: true}
	switch s.Now() {
	case Literal:
		c.Cont = true
		left := l.litLeft
		if int64(len(line))+2 <= left {
			// All of it is the literal's: more octets are to come.
			c.NoReply = true
			c.Body = !l.litSecret
			if l.litSecret {
				c.Secret, c.Shown = true, "[redacted]"
			}
			return c
		}
		rest := ""
		if left <= int64(len(line)) {
			rest = line[left:]
		}
		if l.litSecret {
			c.Secret, c.Shown = true, "[redacted]"+rest
		}
		if _, nonSync, _, ok := literalAt(rest); ok && nonSync {
			c.NoReply = true
		}
		return c
	case SASL:
		c.Cont = true
		// RFC 9051 §6.2.2: "*" cancels the exchange.
		if line != "*" {
			c.Secret, c.Shown = true, "[redacted]"
		}
		return c
	case Idle:
		c.Cont, c.Verb = true, strings.ToUpper(strings.TrimSpace(line))
		return c
	}
	tag, rest := SplitTag(line)
	if tag == "" {
		tag = l.nextTag()
		c.Line = tag + " " + line
	}
	c.Tag = tag
	verb, arg := proto.SplitCommand(rest)
	c.Verb, c.Arg = strings.ToUpper(verb), arg
	c.Shown = c.Line
	c.Spec = Commands.Lookup(verb)
	if c.Spec == nil {
		c.Valid = false
	} else {
		c.Valid = c.Spec.ValidIn(s.Now())
		if c.Spec.Secret != nil && arg != "" {
			if shown := c.Spec.Secret(arg); shown != "" {
				c.Secret, c.Shown = true, tag+" "+shown
			}
		}
	}
	if _, nonSync, _, ok := literalAt(c.Line); ok && nonSync {
		c.NoReply = true
	}
	return c
}

// sent records a line sent: a new command joins the pending ones; a
// literal's octets are counted off.
func sent(s *proto.Session, c *proto.Cmd) {
	l := of(s)
	rest := c.Line
	if c.Cont {
		if s.Now() != Literal {
			return // a SASL answer or DONE: the command is pending already
		}
		n := int64(len(c.Line)) + 2
		if n <= l.litLeft {
			l.litLeft -= n
			return
		}
		rest = ""
		if l.litLeft <= int64(len(c.Line)) {
			rest = c.Line[l.litLeft:]
		}
		l.litLeft = 0
		s.Go(l.resume)
	} else {
		c.From = s.Now()
		s.SetWaiting(append(s.Waiting(), c))
		if c.Spec != nil && c.Spec.OnOK == Selected {
			deselect(s)
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(c.Tag, "a")); err == nil && strings.HasPrefix(c.Tag, "a") && n > l.tagN {
			l.tagN = n
		}
		l.litSecret = c.Secret || (c.Spec != nil && c.Spec.Secret != nil)
	}
	n, nonSync, _, ok := literalAt(rest)
	if !ok {
		return
	}
	if nonSync {
		l.resume, l.litLeft = s.Now(), n
		if n > 0 {
			s.Go(Literal)
		}
		return
	}
	l.litWait, l.litAwait = n, true
}

// literalSent counts off n octets of the literal being sent, streamed
// rather than typed.
func literalSent(m *proto.Machine, n int64) {
	m.Locked(func(s *proto.Session) {
		if l := of(s); s.Now() == Literal {
			l.litLeft -= min(n, l.litLeft)
		}
	})
}

// received applies the greeting, a continuation request or a tagged
// completion.
func received(s *proto.Session, r *proto.Reply) {
	l := of(s)
	if r.RespCode != "" {
		learnCode(s, r.RespCode)
	}
	waiting := s.Waiting()
	if len(waiting) > 0 && waiting[0].Spec == greetingCmd {
		s.SetWaiting(waiting[1:])
		s.Apply(waiting[0], r)
		return
	}
	if r.Status == "+" {
		if len(waiting) == 0 {
			return
		}
		c := waiting[len(waiting)-1]
		if l.litAwait {
			l.resume, l.litLeft = stable(s), l.litWait
			s.Go(Literal)
			l.litWait, l.litAwait = 0, false
			return
		}
		if c.Spec != nil && c.Spec.OnCont != proto.Same && s.Now() != c.Spec.OnCont {
			l.resume = stable(s)
			s.Go(c.Spec.OnCont)
		}
		return
	}
	i := slices.IndexFunc(waiting, func(c *proto.Cmd) bool { return strings.EqualFold(c.Tag, r.Tag) })
	if i < 0 {
		return // a tag nobody used: the server is confused, or mailsh is
	}
	c := waiting[i]
	s.SetWaiting(slices.Delete(waiting, i, i+1))
	if st := s.Now(); st == SASL || st == Idle || st == Literal {
		// The command that took the session there is over.
		s.Go(l.resume)
	}
	l.litLeft, l.litWait, l.litAwait = 0, 0, false
	s.Apply(c, r)
}

// stable is the state to go back to after a continuation: the current
// one, unless it is itself a continuation.
func stable(s *proto.Session) proto.State {
	switch s.Now() {
	case SASL, Idle, Literal:
		return of(s).resume
	}
	return s.Now()
}

// fill adds the IMAP session to a snapshot.
func fill(s *proto.Session, snap *proto.Snapshot) {
	l := of(s)
	snap.NextTag = l.nextTag()
	snap.Mailboxes = append([]string(nil), l.mailboxes...)
	snap.Mailbox, snap.ReadOnly = l.selected, l.readOnly
	snap.Flags = append([]string(nil), l.flags...)
	snap.LiteralLeft, snap.LiteralSecret = l.litLeft, l.litSecret
}
