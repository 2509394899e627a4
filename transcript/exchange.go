package transcript

import (
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
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
	BodyRecv int      // lines of message text received (RETR, LIST, …)
	// MultiLine is true for a reply whose text ended with a lone "."
	// (RFC 1939 §3), even if it held no line.
	MultiLine bool
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
	if t, err := proto.ParseTarget(target); err == nil {
		return t.Proto
	}
	if p := proto.ProtocolOf([]byte(firstLine)); p != 0 {
		return p
	}
	return proto.SMTP
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
				if p == 0 {
					p = protoOf(target, cur.Reply[0])
				}
				if rep := parseReply(p, cur.Reply[0]); rep != nil {
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
			target, n, bodySent, p = h.Target, 0, 0, 0
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
			flush()
			n++
			cur = &Exchange{N: n, Command: e.Text, Sent: e.Time, BodySent: bodySent}
			bodySent = 0
		case ClientBody:
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
