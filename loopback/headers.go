package loopback

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Envelope is what the session that received a message knows of it
// beyond its text (RFC 5321 §2.3.1), for the trace fields written on
// delivery.
type Envelope struct {
	// ID names the transaction in the 250 reply, the Received field and
	// the log.
	ID string
	// From is the reverse-path; "" for the null path <>.
	From string
	// Recipients are the accepted forward-paths, each with its mailbox.
	Recipients []Recipient
	// Helo is the name the client gave in EHLO or HELO.
	Helo string
	// RemoteIP is the client's address.
	RemoteIP net.IP
	// Protocol is the "with" keyword of the Received field (RFC 3848, RFC
	// 6531 §3.7.3), as the receiving protocol names itself.
	Protocol string
	// TLS describes the TLS connection, if any ("TLS1.3 TLS_AES_128_GCM_SHA256").
	TLS string
	// User is the authenticated user, if any.
	User string
	// Domain is the served domain: the "by" clause and the Message-ID's right side.
	Domain string
	// Time is when the transaction ended.
	Time time.Time
}

// Recipient is one forward-path and the account whose mailbox it reaches.
type Recipient struct {
	Addr    string
	Account string
}

// traceFields returns the fields put on top of the copy of a message that
// goes to one mailbox, in CRLF form: Return-Path (RFC 5321 §4.4, added at
// final delivery), a Delivered-To for each envelope recipient routed to the
// mailbox (so that Bcc recipients stay visible), and a Received field in
// RFC 5321 §4.4's form:
//
//	Received: from EHLO-name (TCP-info) by Domain with Protocol id ID
//	    for <forward-path>; date-time
func traceFields(env *Envelope, addrs []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", env.From)
	for _, a := range addrs {
		fmt.Fprintf(&b, "Delivered-To: %s\r\n", a)
	}
	fmt.Fprintf(&b, "Received: from %s (%s)\r\n", HeaderSafe(env.Helo, 255), tcpInfo(env.RemoteIP))
	if env.TLS != "" {
		fmt.Fprintf(&b, "\t(%s)\r\n", env.TLS)
	}
	if env.User != "" {
		fmt.Fprintf(&b, "\t(authenticated as %s)\r\n", env.User)
	}
	fmt.Fprintf(&b, "\tby %s (mailsh) with %s id %s", env.Domain, env.Protocol, env.ID)
	// RFC 5321 §7.2: naming several recipients in "for" would reveal Bcc
	// recipients to each other; each copy here goes to one mailbox.
	if len(addrs) == 1 {
		fmt.Fprintf(&b, "\r\n\tfor <%s>", addrs[0])
	}
	fmt.Fprintf(&b, "; %s\r\n", env.Time.Format(time.RFC1123Z))
	return b.Bytes()
}

// tcpInfo is RFC 5321 §4.4's TCP-info: a name and an address literal.
func tcpInfo(ip net.IP) string {
	if ip == nil {
		return "unknown"
	}
	lit := "[" + ip.String() + "]"
	if ip.To4() == nil {
		lit = "[IPv6:" + ip.String() + "]"
	}
	if ip.IsLoopback() {
		return "localhost " + lit
	}
	return lit
}

// HeaderSafe makes client-supplied text (the name a client gives itself)
// fit in a header field: printable characters only, and not too long, so
// that a client cannot inject fields.
func HeaderSafe(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r == 0x7f || r == '(' || r == ')' {
			return '?'
		}
		return r
	}, s)
}

// maxHeaderLine bounds the part of a header line held in memory while the
// header section is inspected. RFC 5322 §2.1.1 limits lines to 998
// characters; a longer "line" is taken as the start of the body.
const maxHeaderLine = 64 << 10

// headerFixer passes a message's text through while watching its header
// section (RFC 5322 §2.2): at the header's end it adds a Date:, a From:
// and a Message-ID: field if the message lacks them (RFC 5322 §3.6
// requires Date and From; §3.6.4 says every message SHOULD have a
// Message-ID), as a submission server does (RFC 6409 §8.1-§8.3), and as
// Sendmail did on the lecture's "Mensagem recebida" slide. If the text does not start
// with a header at all, such as a bare "Teste do mail", it adds the empty
// line that separates header from body, so that the first line is read as
// body, not as a broken field. Only the current header line is held in
// memory; the body streams straight through.
type headerFixer struct {
	w     io.Writer
	added func(have present) []byte

	inHeader bool
	line     []byte
	have     present
	sawField bool
	err      error
}

// present says which of the fields a server may add a message has.
type present struct{ date, from, msgID bool }

func newHeaderFixer(w io.Writer, added func(have present) []byte) *headerFixer {
	return &headerFixer{w: w, added: added, inHeader: true}
}

func (h *headerFixer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && h.inHeader && h.err == nil {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(h.line)+len(p) > maxHeaderLine {
				h.endHeader(true)
				break
			}
			h.line = append(h.line, p...)
			return n, nil
		}
		h.line = append(h.line, p[:i+1]...)
		p = p[i+1:]
		h.headerLine()
	}
	if h.err == nil && len(p) > 0 {
		_, h.err = h.w.Write(p)
	}
	if h.err != nil {
		return 0, h.err
	}
	return n, nil
}

// headerLine looks at one complete line of the header section.
func (h *headerFixer) headerLine() {
	line := h.line
	switch {
	case len(bytes.TrimRight(line, "\r\n")) == 0:
		// The empty line that ends the header (RFC 5322 §2.1).
		h.endHeader(false)
		return
	case (line[0] == ' ' || line[0] == '\t') && h.sawField:
		// A folded continuation of the previous field (RFC 5322 §2.2.3).
	default:
		name, ok := fieldName(line)
		if !ok {
			h.endHeader(true)
			return
		}
		h.sawField = true
		switch strings.ToLower(name) {
		case "date":
			h.have.date = true
		case "from":
			h.have.from = true
		case "message-id":
			h.have.msgID = true
		}
	}
	h.write(line)
	h.line = h.line[:0]
}

// endHeader writes the missing fields; sep says the line held is body
// text that needs the separating empty line before it.
func (h *headerFixer) endHeader(sep bool) {
	h.inHeader = false
	h.write(h.added(h.have))
	if sep {
		h.write([]byte("\r\n"))
	}
	h.write(h.line)
	h.line = nil
}

// Close ends a message whose text ended inside the header section: a
// header with no body, or a last line without its line ending.
func (h *headerFixer) Close() error {
	if h.inHeader && h.err == nil {
		if len(h.line) > 0 {
			if _, ok := fieldName(h.line); ok {
				// Finish the last field so that added ones follow it.
				h.line = append(h.line, '\r', '\n')
				h.headerLine()
			}
		}
		if h.inHeader {
			h.endHeader(len(h.line) > 0)
		}
	}
	return h.err
}

func (h *headerFixer) write(b []byte) {
	if h.err == nil && len(b) > 0 {
		_, h.err = h.w.Write(b)
	}
}

// fieldName returns the name of a header field line (RFC 5322 §3.6.8:
// printable US-ASCII except ":", then ":").
func fieldName(line []byte) (string, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", false
	}
	for _, c := range line[:i] {
		if c < 33 || c > 126 {
			return "", false
		}
	}
	return string(line[:i]), true
}

// addedFields returns the Date:, From: and Message-ID: fields for a
// message that lacks them, in CRLF form. From is the envelope sender
// (RFC 6409 §8.1); a message with the null sender <> gets none.
func addedFields(env *Envelope) func(have present) []byte {
	return func(have present) []byte {
		var b bytes.Buffer
		if !have.date {
			fmt.Fprintf(&b, "Date: %s\r\n", env.Time.Format(time.RFC1123Z))
		}
		if !have.from && env.From != "" {
			fmt.Fprintf(&b, "From: %s\r\n", env.From)
		}
		if !have.msgID {
			fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", env.ID, env.Domain)
		}
		return b.Bytes()
	}
}
