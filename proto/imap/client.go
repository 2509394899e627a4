package imap

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// read reads one IMAP response that began with line. Untagged data is
// shown as it arrives and taught to the machine; it answers no command,
// so it returns nil. A continuation request or a tagged completion is the
// reply a command waits for. The greeting is the untagged status that
// opens the session.
func read(c *proto.Client, first []byte) (*proto.Reply, error) {
	line := string(first)
	if strings.HasPrefix(line, "* ") && c.Machine.State() != proto.StateGreeting {
		return nil, readUntagged(c, line)
	}
	rep, err := parseStatus(first)
	if err != nil {
		if c.Machine.State() == proto.StateGreeting {
			return nil, proto.ProtocolErr(first, "the greeting is not IMAP")
		}
		if c.Probing() {
			c.Emit(proto.Event{Time: time.Now(), Dir: proto.FromServer, Text: line})
			return nil, nil
		}
		return nil, err
	}
	rep.Proto = c.Machine.Protocol()
	var pend *proto.Cmd
	if rep.Tag == "+" {
		pend = c.Machine.Last()
	} else {
		pend = c.Machine.PendingTag(rep.Tag)
	}
	verb := ""
	if pend != nil {
		verb = pend.Verb
	}
	c.Machine.Received(rep)
	c.EmitReply(rep, verb)
	return rep, c.AfterReply(pend, rep)
}

// literalKeep is the largest literal whose text the machine learns from
// (a mailbox name sent as a literal); larger ones are messages, shown and
// captured but stood in for by their size.
const literalKeep = 1024

// readUntagged reads an untagged response to its end, literals included:
// each line is shown as it comes, and each literal's octets are read by
// count and shown as lines of text.
func readUntagged(c *proto.Client, line string) error {
	verb := ""
	if pend := c.Machine.Last(); pend != nil {
		verb = pend.Verb
	}
	cl := proto.ClassUnknown
	if f := strings.Fields(line); len(f) > 1 {
		cl = class(f[1])
	}
	var whole strings.Builder
	for {
		n, _, at, lit := literalAt(line)
		e := proto.Event{Time: time.Now(), Dir: proto.FromServer, Text: line, Class: cl, Verb: verb}
		if lit {
			e.Begins = messageItem(line[:at])
		}
		c.Emit(e)
		if !lit {
			whole.WriteString(line)
			break
		}
		whole.WriteString(line[:at])
		kept, err := readLiteral(c, n, verb)
		if err != nil {
			return err
		}
		if kept != nil {
			whole.WriteString(Quote(string(kept)))
		} else {
			whole.WriteString("{" + strconv.FormatInt(n, 10) + "}")
		}
		next, err := c.ReadLine()
		if err != nil {
			return err
		}
		line = string(next)
	}
	resp := whole.String()
	c.Machine.Locked(func(s *proto.Session) { untagged(s, resp) })
	return nil
}

// messageItem reports whether the literal announced after prefix is a
// message, or its header: "BODY[]", "RFC822", "BINARY[]", "BODY[HEADER]",
// "RFC822.HEADER" (RFC 9051 §7.5.2), not a part or a piece of one
// ("BODY[]<0>"). :show and :mime read the last one fetched.
func messageItem(prefix string) bool {
	prefix = strings.TrimRight(prefix, " ")
	i := strings.LastIndexAny(prefix, " (")
	item := strings.ToUpper(prefix[i+1:])
	// A partial fetch (BODY[]<0.20>) is a piece, not the message.
	switch item {
	case "BODY[]", "RFC822", "BINARY[]", "BODY[HEADER]", "RFC822.HEADER":
		return true
	}
	return false
}

// readLiteral reads a literal of n octets from the server and shows it as
// lines of text, a buffer at a time, never as a whole. It returns the
// octets of a small literal, for the machine to learn from.
func readLiteral(c *proto.Client, n int64, verb string) ([]byte, error) {
	var kept []byte
	if n <= literalKeep {
		kept = make([]byte, 0, n)
	}
	// A line's time is when the octets that ended it arrived, noted by
	// the client once a read, not once a line.
	emit := func(text []byte) {
		text = bytes.TrimSuffix(text, []byte("\r"))
		c.Emit(proto.Event{Time: c.Arrived(), Dir: proto.FromServer, Text: string(text), Body: true, Literal: true, Verb: verb})
	}
	var partial []byte
	buf := make([]byte, 32<<10)
	for left := n; left > 0; {
		want := int64(len(buf))
		if left < want {
			want = left
		}
		got, err := c.ReadFull(buf[:want])
		data := buf[:got]
		left -= int64(got)
		if kept != nil {
			kept = append(kept, data...)
		}
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				partial = append(partial, data...)
				if len(partial) >= proto.MaxLine {
					emit(partial)
					partial = partial[:0]
				}
				break
			}
			if len(partial) > 0 {
				partial = append(partial, data[:i]...)
				emit(partial)
				partial = partial[:0]
			} else {
				emit(data[:i])
			}
			data = data[i+1:]
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %d octets into a literal of %d", err, n-left, n)
		}
	}
	if len(partial) > 0 {
		emit(partial)
	}
	return kept, nil
}

// SendLiteral sends line, which ends in a literal's announcement "{n}";
// once the server asks for the literal ("+"), it streams the n octets of
// r as they are, never whole in memory, ends the command, and returns the
// completion. A server that refuses the literal answers at once, and its
// reply is returned with nothing more sent.
func SendLiteral(c *proto.Client, line string, r io.Reader, n int64) (*proto.Reply, error) {
	if size, nonSync, _, ok := literalAt(line); !ok || nonSync || size != n {
		return nil, fmt.Errorf("the line must end in {%d}", n)
	}
	_, rep, err := c.Command(line)
	if err != nil || rep == nil || rep.Class() != proto.ClassIntermediate {
		return rep, err
	}
	if c.Machine.State() != Literal {
		return rep, fmt.Errorf("the server's \"+\" did not start the literal")
	}
	sent, err := c.WriteVerbatim(r, n)
	if err != nil {
		return nil, err
	}
	literalSent(c.Machine, sent)
	_, rep, err = c.Command("") // the CRLF that ends the command
	return rep, err
}

// Login logs in with LOGIN (RFC 9051 §6.2.3), the user name and password
// quoted as they need.
func Login(c *proto.Client, user, pass string) (*proto.Reply, error) {
	if quotable(user) && quotable(pass) {
		_, rep, err := c.Command("LOGIN " + Quote(user) + " " + Quote(pass))
		return rep, err
	}
	// RFC 3501 §4.3: a quoted string holds 7-bit text only; 8-bit octets
	// (a password in UTF-8) go as literals, each after the server's "+".
	// The password's literal is masked as LOGIN's secret is.
	line := "LOGIN " + Quote(user)
	if !quotable(user) {
		line = fmt.Sprintf("LOGIN {%d}", len(user))
		if _, rep, err := c.Command(line); err != nil || rep == nil || rep.Class() != proto.ClassIntermediate {
			return rep, err
		}
		line = user
	}
	line += fmt.Sprintf(" {%d}", len(pass))
	if _, rep, err := c.Command(line); err != nil || rep == nil || rep.Class() != proto.ClassIntermediate {
		return rep, err
	}
	_, rep, err := c.Command(pass)
	return rep, err
}

// quotable reports whether s may go as a quoted string: 7-bit, with no
// CR, LF or NUL (RFC 3501 §9, quoted-specials aside, which Quote escapes).
func quotable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == 0 || c == '\r' || c == '\n' {
			return false
		}
	}
	return true
}

// Append adds a message to a mailbox with APPEND (RFC 9051 §6.3.12): the
// size octets of r go as a literal, after the server asks for them.
func Append(c *proto.Client, mailbox string, flags []string, r io.Reader, size int64) (*proto.Reply, error) {
	line := "APPEND " + Quote(mailbox)
	if len(flags) > 0 {
		line += " (" + strings.Join(flags, " ") + ")"
	}
	return SendLiteral(c, line+fmt.Sprintf(" {%d}", size), r, size)
}
