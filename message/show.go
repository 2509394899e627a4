package message

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// MaxShowText bounds the text shown of one part: a 20 MB log pasted into a
// message is not scrolled past in full (:save gives all of it).
const MaxShowText = 1 << 20

// Shown is what Show saw, for the caller's hints.
type Shown struct {
	// Top is the MIME tree.
	Top *Part
	// Attachments are the parts that were not shown as text.
	Attachments []*Part
}

// Show prints a message for reading: its header with field names dressed
// and encoded words decoded (RFC 2047), then the text of its body decoded
// from its transfer encoding (quoted-printable, base64) and its charset
// (ISO-8859-1, windows-1252, …) to UTF-8. Of a multipart/alternative only
// the first text/plain is shown (RFC 2046 §5.1.4); other parts are named
// with their number, type and size. It consumes r.
func Show(w io.Writer, r io.Reader, st Style) (*Shown, error) {
	sh := &showing{w: bufio.NewWriter(w), st: st, altShown: map[*Part]bool{}, shown: map[*Part]bool{}}
	top, err := walk(r, walkOptions{visit: sh.visit, leave: sh.leave})
	if err == nil {
		err = sh.err
	}
	if ferr := sh.w.Flush(); err == nil {
		err = ferr
	}
	if top == nil {
		return nil, err
	}
	return &Shown{Top: top, Attachments: sh.attachments}, err
}

type showing struct {
	w           *bufio.Writer
	st          Style
	err         error
	altShown    map[*Part]bool // a multipart/alternative whose text was shown
	labels      bool           // the message has parts: label each
	attachments []*Part
	cut         map[*Part]bool // text parts shown only in part
	shown       map[*Part]bool // text parts shown
}

func (sh *showing) printf(format string, args ...any) {
	if sh.err == nil {
		_, sh.err = fmt.Fprintf(sh.w, format, args...)
	}
}

func (sh *showing) visit(p *Part, body io.Reader) (bool, error) {
	if sh.err != nil {
		return false, sh.err
	}
	if p.embedded {
		if p.Depth > 0 {
			sh.printf("\n")
		}
		sh.header(p.Header)
		sh.printf("\n")
		if p.container {
			sh.labels = true
		}
	}
	if p.container || isMessageType(p.Type) {
		if isMessageType(p.Type) {
			sh.printf("%s\n", sh.st.note(fmt.Sprintf("[part %s: attached message (%s) follows]", p.Number, p.Type)))
		}
		return true, nil
	}
	if !p.IsText() {
		return false, nil // named in leave, once its size is known
	}
	alt := p.Parent != nil && p.Parent.Type == "multipart/alternative"
	if alt && sh.altShown[p.Parent] {
		return false, nil
	}
	// Parts stream past, so whether a text/plain comes later is not
	// known: the first text alternative is shown. Real messages put
	// text/plain first (RFC 2046 §5.1.4 orders alternatives from the
	// plainest to the richest).
	if alt {
		sh.altShown[p.Parent] = true
	}
	sh.shown[p] = true
	if sh.labels {
		sh.printf("%s\n", sh.st.note("["+describePart(p, false)+"]"))
	}
	if p.Type == "text/html" {
		sh.printf("%s\n", sh.st.note("(HTML, shown as its source)"))
	}
	text, err := charsetDecoder(p.Charset, body)
	if err != nil {
		p.problem("unknown charset %s: shown as it stands", quote(p.Charset))
		text = body
	}
	sh.text(p, text)
	return false, sh.err
}

// text copies at most MaxShowText octets of decoded text, made safe for a
// terminal, line by line.
func (sh *showing) text(p *Part, r io.Reader) {
	lr := &io.LimitedReader{R: r, N: MaxShowText}
	br := bufio.NewReader(lr)
	last := byte('\n')
	for sh.err == nil {
		line, err := br.ReadString('\n')
		if line != "" {
			sh.printf("%s", printableText(line))
			last = line[len(line)-1]
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.problem("%s", decodeProblem(p, err))
			}
			break
		}
	}
	if last != '\n' {
		sh.printf("\n")
	}
	if lr.N <= 0 {
		if sh.cut == nil {
			sh.cut = map[*Part]bool{}
		}
		sh.cut[p] = true
	}
}

// leave runs once a part has been read: its size is known.
func (sh *showing) leave(p *Part) {
	shown := sh.shown[p]
	if sh.cut[p] {
		sh.printf("%s\n", sh.st.note(fmt.Sprintf("[part %s: %s of text; the first %s shown]", p.Number, HumanSize(p.Size), HumanSize(MaxShowText))))
	}
	if !shown && !p.container && !isMessageType(p.Type) {
		if p.IsText() && p.Parent != nil && p.Parent.Type == "multipart/alternative" {
			sh.printf("%s\n", sh.st.note("["+describePart(p, true)+": the same text in another form, not shown]"))
		} else {
			sh.attachments = append(sh.attachments, p)
			sh.printf("%s\n", sh.st.note("["+describePart(p, true)+"]"))
		}
	}
	for _, pr := range p.Problems {
		sh.printf("%s\n", sh.st.warn(fmt.Sprintf("[part %s: %s]", numberOrTop(p), pr)))
	}
}

func numberOrTop(p *Part) string {
	if p.Number == "" {
		return "message"
	}
	return p.Number
}

// describePart names a part in a line: "part 2: application/pdf,
// base64, 120.3 KiB, "notes.pdf"".
func describePart(p *Part, size bool) string {
	s := "part " + numberOrTop(p) + ": " + p.Type
	if p.Charset != "" {
		s += "; charset=" + p.Charset
	}
	if p.Encoding != "" && p.Encoding != "7bit" {
		s += ", " + p.Encoding
	}
	if size {
		s += ", " + HumanSize(p.Size)
	}
	if p.Filename != "" {
		s += ", " + quote(p.Filename)
	}
	return printable(s)
}

// header prints header fields in their order, names as written, values
// unfolded with encoded words decoded (RFC 2047 §6).
func (sh *showing) header(h textproto.Header) {
	fs := h.Fields()
	for fs.Next() {
		sh.printf("%s %s\n", sh.st.field(fieldName(fs)+":"), printable(decodeWords(fs.Value())))
	}
}

// fieldName returns a field's name as the message spells it: go-message
// keeps it canonical ("Message-Id"), the raw field keeps the original.
func fieldName(fs textproto.HeaderFields) string {
	if raw, err := fs.Raw(); err == nil {
		if name, _, ok := strings.Cut(string(raw), ":"); ok {
			if name = strings.TrimSpace(name); strings.EqualFold(name, fs.Key()) {
				return name
			}
		}
	}
	return fs.Key()
}
