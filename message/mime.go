package message

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"mime"
	"strconv"
	"strings"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

// Part is one node of a message's MIME tree (RFC 2045, 2046). Sizes are
// counted while the part streams past; nothing is kept but this summary.
type Part struct {
	// Number is the part's number as IMAP gives it (RFC 3501 §6.4.5): "1",
	// "2", "2.1". The multipart that is a message's whole body has none.
	Number string
	// Depth is the nesting level, 0 for the message itself.
	Depth int
	// Type is the media type in lower case ("text/plain"), after the
	// defaults of RFC 2045 §5.2 and RFC 2046 §5.1.5.
	Type string
	// Params are the Content-Type parameters, RFC 2231 and RFC 2047
	// decoded, keys in lower case.
	Params map[string]string
	// Charset is the charset parameter in lower case; for text without
	// one, "us-ascii" is implied (RFC 2045 §5.2) and Charset is "".
	Charset string
	// Encoding is the Content-Transfer-Encoding in lower case; "" means
	// none was given, which is 7bit (RFC 2045 §6.1).
	Encoding string
	// Disposition is "attachment", "inline" or "" (RFC 2183).
	Disposition string
	// Filename is the Content-Disposition filename, or else the
	// Content-Type name parameter, decoded (RFC 2231, RFC 2047).
	Filename string
	// Size counts the part's octets after transfer decoding; for a
	// container, its raw octets.
	Size int64
	// RawSize counts the part's octets as they stand in the message.
	RawSize int64
	// SHA256 is the hex digest of the decoded octets, when asked for.
	SHA256 string
	// Header is the part's own header.
	Header textproto.Header
	// Parts are a multipart's parts, or the message inside a
	// message/rfc822 part.
	Parts []*Part
	// Parent is the part this one is inside; nil at the top.
	Parent *Part
	// Problems say what could not be read or decoded, for a person.
	Problems []string
	// container: a multipart whose parts were read.
	container bool
	// embedded: the top of a message (the whole message, or the one
	// inside a message/rfc822 part).
	embedded bool
}

// IsText reports whether the part is text meant to be read in place:
// text/* that is not marked as an attachment (RFC 2183).
func (p *Part) IsText() bool {
	return strings.HasPrefix(p.Type, "text/") && p.Disposition != "attachment" && !p.container
}

func (p *Part) problem(format string, args ...any) {
	msg := clip(printable(sprintf(format, args...)), 300)
	for _, seen := range p.Problems {
		if seen == msg {
			return // a decoder repeats its error on every read
		}
	}
	if len(p.Problems) < 20 {
		p.Problems = append(p.Problems, msg)
	}
}

// walkOptions say what a walk does at each part.
type walkOptions struct {
	// visit is called for each part before its content is read. body is
	// the transfer-decoded content of a leaf or of a message/rfc822 part
	// (nil for a multipart); visit may read it. Returning descend false
	// keeps the walker out of an attached message.
	visit func(p *Part, body io.Reader) (descend bool, err error)
	// leave, if set, is called once a part has been read: its sizes and
	// problems are known.
	leave func(p *Part)
	// sums: compute each leaf's SHA-256.
	sums bool
}

// errStop ends a walk early without error.
var errStop = errors.New("stop")

type walker struct {
	o     walkOptions
	parts int
}

// walk reads a message from r and visits every part in order (depth
// first, as the parts appear). It returns the top of the tree. An error
// is returned only when the message cannot be read at all or a limit is
// reached; damage inside the message is recorded in Part.Problems.
func walk(r io.Reader, o walkOptions) (*Part, error) {
	h, body, err := readHeader(r, "")
	if err != nil {
		return nil, err
	}
	w := &walker{o: o}
	top, err := w.entity(h, body, nil, 0, true, nil, "")
	if errors.Is(err, errStop) {
		err = nil
	}
	return top, err
}

// entity reads one entity: its header h is read, raw is its body as it
// stands in the message. path is the IMAP path of the entity; message is
// true for a message's top (whose body, if not multipart, is part 1).
func (w *walker) entity(h textproto.Header, raw io.Reader, path []int, depth int, message bool, parent *Part, parentType string) (*Part, error) {
	w.parts++
	if w.parts > MaxParts {
		return nil, errorf(ErrTooLarge, "", nil, "more than %d parts: giving up", MaxParts)
	}
	p := describe(h, parentType)
	p.Depth, p.Parent, p.embedded = depth, parent, message
	boundary := p.Params["boundary"]
	isMultipart := strings.HasPrefix(p.Type, "multipart/")
	readable := isMultipart && boundary != "" && depth < MaxDepth
	number := path
	if message && !readable {
		// The body of a message that is not multipart is its part 1 (RFC
		// 3501 §6.4.5); so is a multipart whose parts cannot be read.
		number = append(append([]int(nil), path...), 1)
	}
	if !(message && readable) {
		p.Number = pathString(number)
	}
	if parent != nil {
		parent.Parts = append(parent.Parts, p)
	}
	rc := &countReader{r: raw}
	defer func() {
		// What is left of the part (an epilogue, the rest of a part that
		// failed to decode) still counts towards its raw size.
		io.Copy(io.Discard, rc)
		p.RawSize = rc.n
		if w.o.leave != nil {
			w.o.leave(p)
		}
	}()

	switch {
	case isMultipart && boundary == "":
		p.problem("%s without a boundary parameter (RFC 2046 §5.1.1): its parts cannot be found", p.Type)
	case isMultipart && depth >= MaxDepth:
		p.problem("nested more than %d deep: not read further", MaxDepth)
	case readable:
		p.container = true
		if _, err := w.o.visit(p, nil); err != nil {
			return p, err
		}
		return p, w.multipart(p, rc, boundary, path, depth)
	}
	return p, w.leaf(p, rc, number, depth)
}

// multipart reads the parts of a multipart body (RFC 2046 §5.1).
func (w *walker) multipart(p *Part, rc *countReader, boundary string, path []int, depth int) error {
	capped := &capReader{r: rc}
	mr := textproto.NewMultipartReader(capped, boundary)
	errBetween := errors.New("between parts")
	for i := 1; ; i++ {
		capped.arm(maxBetweenParts, errBetween)
		tp, err := mr.NextPart()
		capped.disarm()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			switch {
			case capped.hit || errors.Is(err, errBetween):
				p.problem("more than %d KiB without a boundary line or the end of a part header: parts unreadable from here (boundary %s)", maxBetweenParts>>10, quote(boundary))
			case i == 1 && strings.Contains(err.Error(), "EOF"):
				p.problem("no boundary line \"--%s\" found: the parts cannot be told apart (RFC 2046 §5.1.1)", boundary)
			case strings.Contains(err.Error(), "EOF"):
				p.problem("the closing boundary \"--%s--\" is missing (RFC 2046 §5.1.1): the message may be cut short", boundary)
			default:
				p.problem("parts unreadable from part %d on: %s", i, trimLibPrefix(err))
			}
			return nil
		}
		child := append(append([]int(nil), path...), i)
		if _, err := w.entity(tp.Header, tp, child, depth+1, false, p, p.Type); err != nil {
			return err
		}
	}
}

// leaf reads a part that is not a multipart: it decodes the transfer
// encoding, lets visit read, and counts (and hashes) what is left.
func (w *walker) leaf(p *Part, rc *countReader, number []int, depth int) error {
	body, err := transferDecoder(p.Encoding, rc)
	if err != nil {
		p.problem("unknown Content-Transfer-Encoding %s (RFC 2045 §6): content left as it stands", quote(p.Encoding))
	}
	dc := &countReader{r: body}
	var sum hash.Hash
	var in io.Reader = dc
	if w.o.sums {
		sum = sha256.New()
		in = io.TeeReader(dc, sum)
	}
	descend, err := w.o.visit(p, in)
	if err != nil {
		return err
	}
	if isMessageType(p.Type) && descend && depth < MaxDepth {
		// RFC 2046 §5.2.1: a message/rfc822 part holds a whole message;
		// its parts are numbered under this one (RFC 3501 §6.4.5).
		h, inner, herr := readHeader(in, p.Number)
		if herr != nil {
			if errors.Is(herr, ErrTooLarge) {
				return herr
			}
			p.problem("attached message unreadable: %s", herr.(*Error).Msg)
		} else if _, err := w.entity(h, inner, number, depth+1, true, p, ""); err != nil {
			return err
		}
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		p.problem("%s", decodeProblem(p, err))
	}
	p.Size = dc.n
	if sum != nil {
		p.SHA256 = hex.EncodeToString(sum.Sum(nil))
	}
	return nil
}

// decodeProblem words a failure to read a part's content.
func decodeProblem(p *Part, err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "cut short: the message ends inside this part"
	}
	enc := p.Encoding
	if enc == "" {
		enc = "content"
	}
	return "cannot decode " + enc + ": " + clip(printable(err.Error()), 200)
}

func isMessageType(t string) bool {
	return t == "message/rfc822" || t == "message/global"
}

// transferDecoder undoes a Content-Transfer-Encoding (RFC 2045 §6) with
// go-message: given a header that holds nothing else, go-message decodes
// the transfer encoding and leaves the charset alone, so that saved parts
// keep their octets.
func transferDecoder(enc string, r io.Reader) (io.Reader, error) {
	var h gomessage.Header
	if enc != "" {
		h.Set("Content-Transfer-Encoding", enc)
	}
	e, err := gomessage.New(h, r)
	if e == nil {
		return r, err
	}
	return e.Body, err
}

// charsetDecoder converts text in a charset to UTF-8, with go-message's
// charset package (every charset golang.org/x/text knows: ISO-8859-*,
// windows-125*, KOI8-R, Shift_JIS, GB18030, …).
func charsetDecoder(cs string, r io.Reader) (io.Reader, error) {
	switch cs {
	case "", "us-ascii", "utf-8", "utf8", "ascii":
		return r, nil
	}
	return charset.Reader(cs, r)
}

// knownCharset reports whether text in cs can be decoded.
func knownCharset(cs string) bool {
	_, err := charsetDecoder(cs, strings.NewReader(""))
	return err == nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// decodeWords decodes RFC 2047 encoded words in a header value or a
// parameter; text that does not decode is returned as it stands.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// describe reads the MIME fields of a header (RFC 2045 §5, §6; RFC 2183).
func describe(h textproto.Header, parentType string) *Part {
	p := &Part{Header: h}
	ct := strings.TrimSpace(h.Get("Content-Type"))
	switch {
	case ct == "" && parentType == "multipart/digest":
		p.Type = "message/rfc822" // RFC 2046 §5.1.5
	case ct == "":
		p.Type = "text/plain" // RFC 2045 §5.2
	default:
		t, params, err := mime.ParseMediaType(ct)
		switch {
		case err == nil:
		case errors.Is(err, mime.ErrInvalidMediaParameter):
			p.problem("Content-Type parameters partly unreadable: %s", quote(clip(ct, 120)))
		default:
			p.problem("Content-Type %s unreadable: taken as text/plain (RFC 2045 §5.2)", quote(clip(ct, 120)))
			t, params = "text/plain", nil
		}
		p.Type, p.Params = strings.ToLower(t), params
	}
	for k, v := range p.Params {
		p.Params[k] = decodeWords(v)
	}
	if strings.HasPrefix(p.Type, "text/") {
		p.Charset = strings.ToLower(strings.Trim(p.Params["charset"], " \"'"))
	}
	p.Encoding = strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if cd := h.Get("Content-Disposition"); cd != "" {
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
			p.problem("Content-Disposition %s unreadable", quote(clip(cd, 120)))
		}
		p.Disposition = strings.ToLower(disp)
		p.Filename = decodeWords(params["filename"])
	}
	if p.Filename == "" {
		p.Filename = p.Params["name"]
	}
	return p
}

func pathString(path []int) string {
	s := make([]string, len(path))
	for i, n := range path {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}

// TreeOptions say what Tree computes besides the structure.
type TreeOptions struct {
	// SHA256 computes a digest of each part's decoded content.
	SHA256 bool
}

// Tree reads a whole message from r and returns its MIME tree. It
// consumes r. Broken MIME gives a tree whose parts carry Problems; an
// error means the message could not be read at all.
func Tree(r io.Reader, o TreeOptions) (*Part, error) {
	return walk(r, walkOptions{
		visit: func(*Part, io.Reader) (bool, error) { return true, nil },
		sums:  o.SHA256,
	})
}

// Each calls fn for p and every part inside it, in order.
func (p *Part) Each(fn func(*Part)) {
	fn(p)
	for _, c := range p.Parts {
		c.Each(fn)
	}
}
