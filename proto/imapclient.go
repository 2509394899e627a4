package proto

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// readIMAP reads one IMAP response that began with line. Untagged data is
// shown as it arrives and taught to the machine; it answers no command,
// so it returns nil. A continuation request or a tagged completion is the
// reply a command waits for. The greeting is the untagged status that
// opens the session.
func (c *Client) readIMAP(first []byte) (*Reply, error) {
	line := string(first)
	if strings.HasPrefix(line, "* ") && c.Machine.State() != StateGreeting {
		return nil, c.readUntagged(line)
	}
	rep, err := ParseIMAPStatus(first)
	if err != nil {
		if c.Machine.State() == StateGreeting {
			return nil, protoErr(first, "the greeting is not IMAP")
		}
		if c.rawWindow.Load() {
			c.observe(Event{Time: time.Now(), Dir: FromServer, Text: line})
			return nil, nil
		}
		return nil, err
	}
	var pend *Cmd
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
	c.emitReply(rep, verb, true)
	return rep, c.afterReply(pend, rep)
}

// literalKeep is the largest literal whose text the machine learns from
// (a mailbox name sent as a literal); larger ones are messages, shown and
// captured but stood in for by their size.
const literalKeep = 1024

// readUntagged reads an untagged response to its end, literals included:
// each line is shown as it comes, and each literal's octets are read by
// count and shown as lines of text.
func (c *Client) readUntagged(line string) error {
	verb := ""
	if pend := c.Machine.Last(); pend != nil {
		verb = pend.Verb
	}
	class := ClassUnknown
	if f := strings.Fields(line); len(f) > 1 {
		class = imapClass(f[1])
	}
	var whole strings.Builder
	for {
		n, _, at, lit := imapLiteralAt(line)
		e := Event{Time: time.Now(), Dir: FromServer, Text: line, Class: class, Verb: verb}
		if lit {
			e.Begins = imapMessageItem(line[:at])
		}
		c.observe(e)
		if !lit {
			whole.WriteString(line)
			break
		}
		whole.WriteString(line[:at])
		kept, err := c.readLiteral(n, verb)
		if err != nil {
			return err
		}
		if kept != nil {
			whole.WriteString(IMAPQuote(string(kept)))
		} else {
			whole.WriteString("{" + strconv.FormatInt(n, 10) + "}")
		}
		next, err := c.readLine()
		if err != nil {
			return err
		}
		line = string(next)
	}
	c.Machine.Untagged(whole.String())
	return nil
}

// imapMessageItem reports whether the literal announced after prefix is a
// message, or its header: "BODY[]", "RFC822", "BINARY[]", "BODY[HEADER]",
// "RFC822.HEADER" (RFC 9051 §7.5.2), not a part or a piece of one
// ("BODY[]<0>"). :show and :mime read the last one fetched.
func imapMessageItem(prefix string) bool {
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
func (c *Client) readLiteral(n int64, verb string) ([]byte, error) {
	var kept []byte
	if n <= literalKeep {
		kept = make([]byte, 0, n)
	}
	emit := func(text []byte) {
		text = bytes.TrimSuffix(text, []byte("\r"))
		c.observe(Event{Time: time.Now(), Dir: FromServer, Text: string(text), Body: true, Literal: true, Verb: verb})
	}
	var partial []byte
	buf := make([]byte, 32<<10)
	for left := n; left > 0; {
		want := int64(len(buf))
		if left < want {
			want = left
		}
		got, err := io.ReadFull(c.lr.R, buf[:want])
		data := buf[:got]
		left -= int64(got)
		if kept != nil {
			kept = append(kept, data...)
		}
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				partial = append(partial, data...)
				if len(partial) >= MaxLine {
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
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: the connection ended %d octets into a literal of %d", ErrClosed, n-left, n)
			}
			return nil, c.mapErr(err)
		}
	}
	if len(partial) > 0 {
		emit(partial)
	}
	c.lastRead.Store(time.Now().UnixNano())
	return kept, nil
}

// SendLiteral sends line, which ends in a literal's announcement "{n}";
// once the server asks for the literal ("+"), it streams the n octets of
// r as they are, never whole in memory, ends the command, and returns the
// completion. A server that refuses the literal answers at once, and its
// reply is returned with nothing more sent.
func (c *Client) SendLiteral(line string, r io.Reader, n int64) (*Reply, error) {
	if size, nonSync, _, ok := imapLiteralAt(line); !ok || nonSync || size != n {
		return nil, fmt.Errorf("the line must end in {%d}", n)
	}
	_, rep, err := c.Command(line)
	if err != nil || rep == nil || rep.Class() != ClassIntermediate {
		return rep, err
	}
	if c.Machine.State() != IMAPLiteral {
		return rep, errors.New("the server's \"+\" did not start the literal")
	}
	c.wmu.Lock()
	c.textPending = false
	tap := &lineTap{w: c.bw, emit: c.observe, literal: true}
	sent, err := io.CopyN(&deadlineWriter{c: c, w: tap}, r, n)
	tap.flushPartial()
	c.wmu.Unlock()
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("the literal ended after %d of %d octets", sent, n)
	}
	if err != nil {
		err = c.mapErr(err)
		c.botch(err)
		return nil, err
	}
	c.Machine.LiteralSent(sent)
	_, rep, err = c.Command("") // the CRLF that ends the command
	return rep, err
}
