package shell

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/proto"
)

// Printer writes a session for a person to read. In script mode each line
// carries a "C: ", "S: " or "* " prefix and there is no colour; at a
// terminal server replies are coloured by class (2xx and +OK green, 3xx
// and "+ " cyan, 4xx yellow, 5xx and -ERR red), the client's own lines are
// dim, header field names in retrieved messages are bold, and mailsh's own
// messages stand apart in magenta.
type Printer struct {
	mu  sync.Mutex
	out io.Writer
	// Prefix writes the direction before each line (script mode).
	Prefix bool
	// Echo prints the client's lines; off at a terminal, where the user
	// already sees what was typed.
	Echo bool
	// Raw shows line endings and every non-printing byte (:raw).
	Raw bool
	// Explain adds a one-line explanation after failure replies.
	Explain bool

	green, cyan, yellow, red, dim, bold, plain, note, warn *color.Color
	colour                                                 bool

	// afterEvent, if set, is called after each event is printed (the
	// interactive shell refreshes its prompt).
	afterEvent func(proto.Event)

	// Lines of message text (DATA sent, RETR received) wait in bw, in
	// front of out, and go out a chunk at a time: one write per line made
	// a 100 MB message cost a million writes. Any other line flushes.
	bw    *bufio.Writer
	bwDst io.Writer // the out that bw writes to

	inHeader bool // within the header of a retrieved message
	mute     bool // message text sent from a file is not echoed
	// counting: lines of a message received are counted, not shown
	// (:show N shows the message decoded instead).
	counting bool
	counted  int
	skip     *string // the next client line, if it is this, is not echoed
}

// NewPrinter returns a printer writing to out, with colour or without.
func NewPrinter(out io.Writer, colour bool) *Printer {
	p := &Printer{out: out, colour: colour}
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if colour {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	p.green, p.cyan, p.yellow = mk(color.FgGreen), mk(color.FgCyan), mk(color.FgYellow)
	p.red, p.dim, p.bold = mk(color.FgRed), mk(color.Faint), mk(color.Bold)
	p.plain = color.New()
	p.plain.DisableColor() // no escape at all, not even a reset
	p.note, p.warn = mk(color.FgMagenta), mk(color.FgRed, color.Bold)
	return p
}

// SetOutput changes where the printer writes (the line editor's writer,
// which keeps the prompt intact).
func (p *Printer) SetOutput(w io.Writer) {
	p.mu.Lock()
	p.flush()
	p.out = w
	p.mu.Unlock()
}

// w returns the buffered writer in front of out, made again when out has
// changed (meta-commands swap it).
func (p *Printer) w() *bufio.Writer {
	if p.bw == nil || p.bwDst != p.out {
		p.flush()
		p.bw, p.bwDst = bufio.NewWriterSize(p.out, 64<<10), p.out
	}
	return p.bw
}

// flush writes out the lines waiting.
func (p *Printer) flush() {
	if p.bw != nil {
		p.bw.Flush()
	}
}

// Flush writes out the lines waiting, before something else is written to
// the same place.
func (p *Printer) Flush() {
	p.mu.Lock()
	p.flush()
	p.mu.Unlock()
}

func (p *Printer) classColor(c proto.Class) *color.Color {
	switch c {
	case proto.ClassPositive:
		return p.green
	case proto.ClassIntermediate:
		return p.cyan
	case proto.ClassTransient:
		return p.yellow
	case proto.ClassPermanent:
		return p.red
	}
	return p.plain // IMAP's untagged data, raw mode's lines
}

// Event prints one event of the session.
func (p *Printer) Event(e proto.Event) {
	p.print(e)
	if e.Reply != nil && e.Reply.Class().Failed() {
		// Right after the reply, before whatever follows it (the note
		// that the server closed the connection after a 421).
		p.Explanation(e.Reply)
	}
	if p.afterEvent != nil {
		p.afterEvent(e)
	}
}

func (p *Printer) print(e proto.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	text := Printable(e.Text, p.Raw)
	if p.Raw && e.Dir != proto.Note {
		text += `\r\n`
	}
	var line string
	switch e.Dir {
	case proto.FromClient:
		if p.skip != nil {
			typed := *p.skip
			p.skip = nil
			if typed == e.Text {
				return
			}
		}
		if !p.Echo || (p.mute && e.Body) {
			return
		}
		if e.Body && !p.colour {
			// A line of message text, of which there may be a million.
			w := p.w()
			w.WriteString(p.prefix("C: "))
			w.WriteString(text)
			w.WriteByte('\n')
			return
		}
		line = p.prefix("C: ") + p.dim.Sprint(text)
	case proto.FromServer:
		if p.counting && e.Body {
			p.counted++
			return
		}
		if !p.Prefix && !p.Raw {
			// At a terminal a retrieved message reads as it is stored:
			// the doubled leading dots of the wire form (RFC 1939 §3)
			// are undone, and the lone "." that ends the reply is marked
			// so that it cannot be taken for a line of the message.
			// :raw on shows the wire form; transcripts keep it.
			switch {
			case e.Body && !e.Literal && strings.HasPrefix(e.Text, "."):
				text = Printable(e.Text[1:], false)
			case e.Final && e.Text == "." && e.Dir == proto.FromServer:
				fmt.Fprintln(p.w(), p.dim.Sprint(".")+p.dim.Sprint("   ↳ end of the reply"))
				p.flush()
				return
			}
		}
		if e.Body && !p.colour {
			// A line of a retrieved message, without colour to add:
			// serverLine would give the text as it is.
			if p.inHeader && e.Text == "" {
				p.inHeader = false
			}
			w := p.w()
			w.WriteString(p.prefix("S: "))
			w.WriteString(text)
			w.WriteByte('\n')
			if e.Final {
				p.flush()
			}
			return
		}
		line = p.prefix("S: ") + p.serverLine(e, text)
		if !p.Prefix && e.Class == proto.ClassIntermediate {
			if d := saslChallenge(e.Text); d != "" {
				line += p.dim.Sprint("  ↳ " + d)
			}
		}
	default:
		line = p.prefix("* ") + p.note.Sprint(text)
	}
	w := p.w()
	w.WriteString(line)
	w.WriteByte('\n')
	if !e.Body || e.Final {
		p.flush()
	}
}

func (p *Printer) prefix(s string) string {
	if p.Prefix {
		return s
	}
	return ""
}

// serverLine colours a server line: status lines by class; in a message
// body the header field names bold until the blank line.
func (p *Printer) serverLine(e proto.Event, text string) string {
	if !e.Body {
		// A status line that is not final opens a POP3 body, which begins
		// with a message header for RETR and TOP.
		p.inHeader = !e.Final
		return p.statusLine(e.Class, text)
	}
	if p.inHeader {
		if e.Text == "" {
			p.inHeader = false
			return text
		}
		if name, rest, ok := strings.Cut(text, ":"); ok && !strings.ContainsAny(name, " \t") && name != "" {
			return p.bold.Sprint(name+":") + rest
		}
	}
	return text
}

// statusLine colours a status line by its class, with its response code
// ("-ERR [IN-USE]", "a1 NO [TRYCREATE]", "* OK [ALERT]") in bold; an
// IMAP [ALERT], which RFC 9051 §7.1 says must reach the user, stands out
// as a warning.
func (p *Printer) statusLine(c proto.Class, text string) string {
	i := strings.Index(text, " [")
	j := strings.IndexByte(text, ']')
	if !p.colour || i < 0 || i > 12 || j < i {
		return p.classColor(c).Sprint(text)
	}
	code := text[i+1 : j+1]
	if strings.HasPrefix(strings.ToUpper(code), "[ALERT]") {
		return p.warn.Sprint(text)
	}
	return p.classColor(c).Sprint(text[:i+1]) + p.bold.Sprint(code) + p.classColor(c).Sprint(text[j+1:])
}

// Say prints a message of mailsh's own.
func (p *Printer) Say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w(), p.prefix("* ")+p.note.Sprintf(format, args...))
	p.flush()
}

// Warn prints a warning that must not be missed.
func (p *Printer) Warn(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w(), p.prefix("* ")+p.warn.Sprintf(format, args...))
	p.flush()
}

// Plain prints text as it is, for help and tables.
func (p *Printer) Plain(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w(), format, args...)
	p.flush()
}

// Explanation prints what a reply means, dimmed, when explanations are on.
func (p *Printer) Explanation(r *proto.Reply) {
	if !p.Explain || r == nil {
		return
	}
	s := proto.Explain(r)
	if s == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// The label carries the server's response code ("NO [TRYCREATE]").
	fmt.Fprintln(p.w(), p.prefix("* ")+p.dim.Sprint("  ↳ "+Printable(r.Label()+": "+s, false)))
	p.flush()
}

// MuteBody stops or resumes the echo of message text sent, so that a file
// sent with :data does not scroll past line by line.
func (p *Printer) MuteBody(on bool) {
	p.mu.Lock()
	p.mute = on
	p.mu.Unlock()
}

// CountBody starts or stops counting, rather than showing, the lines of
// a message received; stopping returns how many there were.
func (p *Printer) CountBody(on bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.counted
	p.counting, p.counted = on, 0
	return n
}

// skipEcho says that the next client line, if it is text, was typed by the
// user and is on the screen already.
func (p *Printer) skipEcho(text string) {
	p.mu.Lock()
	p.skip = &text
	p.mu.Unlock()
}

// saslChallenge decodes the base64 of a SASL challenge ("334 VXNlcm5hbWU6",
// POP3's "+ VXNlcm5hbWU6") when it is readable text, for showing beside it.
func saslChallenge(line string) string {
	b64, ok := strings.CutPrefix(line, "334 ")
	if !ok {
		if b64, ok = strings.CutPrefix(line, "+ "); !ok {
			return ""
		}
	}
	b64 = strings.TrimSpace(b64)
	if b64 == "" {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !utf8.Valid(raw) {
		return ""
	}
	text := string(raw)
	for _, r := range text {
		if !unicode.IsPrint(r) && r != ' ' {
			return ""
		}
	}
	return text
}

// MessageStyle dresses the message views (:show, :mime, :hops, mailsh msg)
// as the printer dresses a session: field names bold, remarks in
// mailsh's colour, warnings in red. At a terminal of width columns
// (0: not a terminal) the delay chart is drawn in blocks.
func (p *Printer) MessageStyle(width int) message.Style {
	st := message.Style{
		Field: func(t string) string { return p.bold.Sprint(t) },
		Note:  func(t string) string { return p.note.Sprint(t) },
		Warn:  func(t string) string { return p.warn.Sprint(t) },
	}
	if width > 0 {
		st.Bar, st.Width = "█", width
	}
	return st
}
