package transcript

import (
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// Exchange is one command and the reply it drew, for tables and diagrams.
// The greeting is exchange 0, with no command.
type Exchange struct {
	N       int
	Command string // as sent (redacted); "" for the greeting
	Sent    time.Time
	// Reply holds the server's status lines; message text is counted, not
	// kept, and the "." that ends it is not a status line.
	Reply    []string
	Replied  time.Time // when the last line of the reply came
	Label    string    // "250", "+OK", "354"
	Class    proto.Class
	Meaning  string
	Notes    []string // mailsh's notes during the exchange
	BodySent int      // lines of message text sent before the command (DATA)
	// LiteralSent counts the lines of IMAP literals sent with the command.
	LiteralSent int
	BodyRecv    int // lines of message text received (RETR, LIST, …)
	// MultiLine is true for a reply whose text ended with a lone "."
	// (RFC 1939 §3), even if it held no line.
	MultiLine bool
	// Status is the line of Reply that says how it went: the first,
	// or IMAP's tagged completion after untagged data.
	Status string
	// Continued are the lines that went on with an IMAP command after
	// a continuation request (a literal's rest, a SASL answer, DONE).
	Continued []string
}

// Took is how long the reply took; 0 if unknown.
func (x *Exchange) Took() time.Duration {
	if x.Command == "" || x.Replied.IsZero() || x.Replied.Before(x.Sent) {
		return 0
	}
	return x.Replied.Sub(x.Sent)
}

// protoOf finds the protocol from the target URL, or else from the
// session's first line (a telnet-style HOST PORT target).
func protoOf(target, firstLine string) proto.Protocol {
	if t, err := protocols.All.ParseTarget(target); err == nil {
		return t.Proto
	}
	// 0 if the line is none of the protocols: its replies are read as
	// the engine reads an unknown protocol's.
	return protocols.All.ProtocolOf([]byte(firstLine))
}

// continues reports whether the next client line goes on with the IMAP
// command of x rather than starting one: the command is not complete
// (no completion with its tag yet) and the server asked for more ("+"),
// or its last line announced a LITERAL+ literal, which needs no asking.
func continues(p proto.Protocol, x *Exchange) bool {
	tag, _ := proto.SplitTag(p, x.Command)
	asked := false
	for _, l := range x.Reply {
		if t, _, _ := strings.Cut(l, " "); tag != "" && strings.EqualFold(t, tag) {
			return false
		}
		if l == "+" || strings.HasPrefix(l, "+ ") {
			asked = true
		}
	}
	last := x.Command
	if n := len(x.Continued); n > 0 {
		last = x.Continued[n-1]
	}
	return asked || strings.HasSuffix(last, "+}") || x.LiteralSent > 0
}

// statusLine is the line of a reply that gives its status: the first,
// except in IMAP, where untagged data comes first and the status is the
// completion tagged as the command was, or else a continuation request.
func statusLine(p proto.Protocol, command string, reply []string) string {
	if p == nil || !p.Spec().Tagged || command == "" {
		return reply[0]
	}
	if tag, _ := proto.SplitTag(p, command); tag != "" {
		for i := len(reply) - 1; i >= 0; i-- {
			if t, _, _ := strings.Cut(reply[i], " "); strings.EqualFold(t, tag) {
				return reply[i]
			}
		}
	}
	for _, l := range reply {
		if l == "+" || strings.HasPrefix(l, "+ ") {
			return l
		}
	}
	return reply[0]
}

// parseReply reads the status of a reply from its first line.
func parseReply(p proto.Protocol, line string) *proto.Reply {
	r, err := proto.ParseStatusLine(p, line)
	if err != nil {
		return nil
	}
	return r
}

// Exchanges reads a transcript and calls fn for each session's header and
// each exchange, in order, holding only one exchange at a time.
func Exchanges(r io.Reader, header func(Header), fn func(*Exchange)) error {
	tr := NewReader(r)
	var cur *Exchange
	var p proto.Protocol
	var target string
	n := 0
	bodySent := 0
	flush := func() {
		if cur != nil {
			if len(cur.Reply) > 0 {
				if p == nil {
					p = protoOf(target, cur.Reply[0])
				}
				cur.Status = statusLine(p, cur.Command, cur.Reply)
				if rep := parseReply(p, cur.Status); rep != nil {
					cur.Label, cur.Class, cur.Meaning = rep.Label(), rep.Class(), proto.Explain(rep)
				}
			}
			fn(cur)
			cur = nil
		}
	}
	for {
		e, newSession, err := tr.Next()
		if errors.Is(err, io.EOF) {
			flush()
			return nil
		}
		if err != nil {
			return err
		}
		if newSession {
			flush()
			h := *tr.Header()
			target, n, bodySent, p = h.Target, 0, 0, nil
			if !strings.HasPrefix(target, "tcp") {
				p = protoOf(target, "")
			}
			if header != nil {
				header(h)
			}
			continue
		}
		switch e.Dir {
		case Client:
			if cur != nil && cur.Command != "" && p != nil && p.Spec().Tagged && continues(p, cur) {
				// An IMAP line that continues the command: a literal's
				// rest, a SASL answer, IDLE's DONE. The completion that
				// follows is the command's.
				cur.Continued = append(cur.Continued, e.Text)
				continue
			}
			flush()
			n++
			cur = &Exchange{N: n, Command: e.Text, Sent: e.Time, BodySent: bodySent}
			bodySent = 0
		case ClientBody:
			if cur != nil && cur.Command != "" && p != nil && p.Spec().Tagged {
				cur.LiteralSent++
				continue
			}
			bodySent++
		case Server, ServerBody:
			if cur == nil {
				cur = &Exchange{N: 0, Sent: e.Time}
			}
			switch {
			case e.Dir == ServerBody:
				cur.BodyRecv++
			case e.Text == "." && len(cur.Reply) > 0:
				// The end of the message text: a "." inside it is
				// dot-stuffed and recorded as "S| ..", so a status
				// line "." can only be the terminator.
				cur.MultiLine = true
			default:
				cur.Reply = append(cur.Reply, e.Text)
			}
			cur.Replied = e.Time
		case Note:
			if cur != nil {
				cur.Notes = append(cur.Notes, e.Text)
			}
		}
	}
}

// sessionExchanges is one session's header and its exchanges.
type sessionExchanges struct {
	h  Header
	xs []*Exchange
}

// collect reads the exchanges of every session in the transcript at path.
// Exchanges hold status lines only, so this stays small however much
// message text the transcript holds.
func collect(path string) ([]*sessionExchanges, error) {
	var sessions []*sessionExchanges
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	err = Exchanges(f, func(h Header) { sessions = append(sessions, &sessionExchanges{h: h}) }, func(x *Exchange) {
		s := sessions[len(sessions)-1]
		s.xs = append(s.xs, x)
	})
	return sessions, err
}
