package message

import (
	"bufio"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
)

// MaxBodyText bounds the text body of a composed message, which is held
// in memory; larger files go as attachments, which stream.
const MaxBodyText = 10 << 20

// Draft is a message to compose: the fields of RFC 5322 §3.6, a UTF-8 text
// body and files to attach.
type Draft struct {
	// From is the author: one address, "Name <a@example.org>" or bare.
	From string
	// To, Cc and Bcc hold addresses; each entry may be a comma-separated
	// list. Bcc recipients get the message but are not in its header
	// (RFC 5322 §3.6.3).
	To, Cc, Bcc []string
	// Subject may be any Unicode text; it is encoded (RFC 2047) if needed.
	Subject string
	// Body is the text, in UTF-8; line ends may be LF or CRLF.
	Body string
	// Attach lists files to attach, in order.
	Attach []string

	// Date, MessageID and Boundary are chosen when left empty: now, a
	// random identifier at the From domain, a random boundary. Tests set
	// them to get the same octets every time.
	Date      time.Time
	MessageID string
	Boundary  string

	// Progress, if set, receives the attachments' octets as they are read
	// (for a progress bar).
	Progress io.Writer

	checked  bool
	from     *mail.Address
	to, cc   []*mail.Address
	bcc      []*mail.Address
	files    []attachment
	bodyEnc  string
	bodyText string
}

type attachment struct {
	path, name, ctype string
	size              int64
}

func draftError(format string, args ...any) error {
	return errorf(ErrDraft, "", nil, format, args...)
}

// Check validates the draft: addresses that parse (RFC 5322 §3.4) and are
// plain ASCII (non-ASCII addresses need SMTPUTF8, RFC 6531, which compose
// does not do), at least one recipient, no line break in the subject,
// UTF-8 body text, and attachments that are readable regular files. It
// is called by WriteTo; call it first to report problems before an SMTP
// transaction starts.
func (d *Draft) Check() error {
	if d.checked {
		return nil
	}
	var err error
	if strings.TrimSpace(d.From) == "" {
		return draftError("no sender: give --from ADDRESS")
	}
	if d.from, err = parseOne("--from", d.From); err != nil {
		return err
	}
	if d.to, err = parseList("--to", d.To); err != nil {
		return err
	}
	if d.cc, err = parseList("--cc", d.Cc); err != nil {
		return err
	}
	if d.bcc, err = parseList("--bcc", d.Bcc); err != nil {
		return err
	}
	if len(d.to)+len(d.cc)+len(d.bcc) == 0 {
		return draftError("no recipient: give --to, --cc or --bcc")
	}
	if strings.ContainsAny(d.Subject, "\r\n") || !utf8.ValidString(d.Subject) {
		return draftError("the subject must be one line of UTF-8 text")
	}
	if len(d.Body) > MaxBodyText {
		return draftError("the body is larger than %s: send it as an attachment", HumanSize(MaxBodyText))
	}
	if !utf8.ValidString(d.Body) || strings.ContainsRune(d.Body, 0) {
		return draftError("the body is not UTF-8 text: send such a file with --attach")
	}
	d.bodyText, d.bodyEnc = bodyEncoding(d.Body)
	d.files = nil
	for _, p := range d.Attach {
		st, err := os.Stat(p)
		if err != nil {
			return draftError("cannot attach %s: %v", p, unwrapPathError(err))
		}
		if !st.Mode().IsRegular() {
			return draftError("cannot attach %s: not a regular file", p)
		}
		f, err := os.Open(p)
		if err != nil {
			return draftError("cannot attach %s: %v", p, unwrapPathError(err))
		}
		f.Close()
		d.files = append(d.files, attachment{path: p, name: attachmentName(p), ctype: ContentTypeFor(p), size: st.Size()})
	}
	d.checked = true
	return nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func parseOne(flag, s string) (*mail.Address, error) {
	as, err := parseList(flag, []string{s})
	if err != nil {
		return nil, err
	}
	if len(as) != 1 {
		return nil, draftError("%s takes one address", flag)
	}
	return as[0], nil
}

func parseList(flag string, ss []string) ([]*mail.Address, error) {
	var out []*mail.Address
	for _, s := range ss {
		if strings.TrimSpace(s) == "" {
			continue
		}
		as, err := mail.ParseAddressList(s)
		if err != nil {
			return nil, draftError("%s %q: not an address (RFC 5322 §3.4): %v", flag, clip(printable(s), 80), err)
		}
		for _, a := range as {
			if strings.ContainsAny(a.Address, "\r\n<> ") || !isASCII(a.Address) {
				return nil, draftError("%s %q: mailsh composes with ASCII addresses only (others need SMTPUTF8, RFC 6531)", flag, clip(printable(a.Address), 80))
			}
			if !strings.Contains(a.Address, "@") {
				return nil, draftError("%s %q: an address needs a domain (user@example.org)", flag, a.Address)
			}
		}
		out = append(out, as...)
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// attachmentName is the file name the recipient sees: the last element of
// the path, with control characters replaced.
func attachmentName(p string) string {
	name := filepath.Base(p)
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, name)
}

// bodyEncoding puts the text in CRLF lines and picks its transfer
// encoding: 7bit when it is ASCII in lines of at most 998 octets (RFC
// 5322 §2.1.1, RFC 2045 §2.7), else quoted-printable (RFC 2045 §6.7).
func bodyEncoding(body string) (text, enc string) {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	enc = "7bit"
	for _, line := range strings.Split(body, "\n") {
		if len(line) > 998 || !isASCII(line) {
			enc = "quoted-printable"
			break
		}
	}
	return strings.ReplaceAll(body, "\n", "\r\n"), enc
}

// Envelope gives the SMTP envelope (RFC 5321 §3.3): the MAIL FROM address
// and every recipient, Bcc included, each once.
func (d *Draft) Envelope() (from string, rcpts []string, err error) {
	if err := d.Check(); err != nil {
		return "", nil, err
	}
	seen := map[string]bool{}
	for _, list := range [][]*mail.Address{d.to, d.cc, d.bcc} {
		for _, a := range list {
			if k := strings.ToLower(a.Address); !seen[k] {
				seen[k] = true
				rcpts = append(rcpts, a.Address)
			}
		}
	}
	return d.from.Address, rcpts, nil
}

// AttachmentBytes is the size of the files to attach, for a progress bar.
func (d *Draft) AttachmentBytes() int64 {
	var n int64
	for _, a := range d.files {
		n += a.size
	}
	return n
}

// HasBcc reports whether there are blind recipients (left out of the
// header).
func (d *Draft) HasBcc() bool { return len(d.bcc) > 0 }

// WriteTo writes the message with CRLF line ends, streaming each
// attachment from its file through a base64 encoder (RFC 2045 §6.8).
func (d *Draft) WriteTo(w io.Writer) (int64, error) {
	if err := d.Check(); err != nil {
		return 0, err
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	err := d.write(bw)
	if err == nil {
		err = bw.Flush()
	}
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (d *Draft) write(w io.Writer) error {
	date := d.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := d.MessageID
	if id == "" {
		id = newMessageID(d.from.Address)
	}
	// go-message writes the fields added last first: add them backwards.
	var top []headerField
	top = append(top, headerField{"From", formatAddress(d.from)})
	if len(d.to) > 0 {
		top = append(top, headerField{"To", addressList(d.to)})
	}
	if len(d.cc) > 0 {
		top = append(top, headerField{"Cc", addressList(d.cc)})
	}
	// RFC 2047: encoded words only where the subject needs them.
	top = append(top, headerField{"Subject", mime.QEncoding.Encode("utf-8", d.Subject)})
	// RFC 5322 §3.3: "Wed, 11 Dec 2002 21:26:52 +0100".
	top = append(top, headerField{"Date", date.Format("Mon, 02 Jan 2006 15:04:05 -0700")})
	top = append(top, headerField{"Message-ID", "<" + strings.Trim(id, "<>") + ">"})
	top = append(top, headerField{"MIME-Version", "1.0"})
	text := []headerField{
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", d.bodyEnc},
	}
	if len(d.files) == 0 {
		mw, err := gomessage.CreateWriter(w, makeHeader(append(top, text...)))
		if err != nil {
			return err
		}
		if _, err := io.WriteString(mw, d.bodyText); err != nil {
			return err
		}
		return mw.Close()
	}
	boundary := d.Boundary
	if boundary == "" {
		boundary = newBoundary()
	}
	top = append(top, headerField{"Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary})})
	mw, err := gomessage.CreateWriter(w, makeHeader(top))
	if err != nil {
		return err
	}
	pw, err := mw.CreatePart(makeHeader(text))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(pw, d.bodyText); err != nil {
		return err
	}
	if err := pw.Close(); err != nil {
		return err
	}
	for _, a := range d.files {
		if err := d.attach(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

// attach writes one file as a base64 part with its type and file name
// (RFC 2183; RFC 2231 encoding for names that are not ASCII).
func (d *Draft) attach(mw *gomessage.Writer, a attachment) error {
	ctype := a.ctype
	params := map[string]string{"name": a.name}
	if strings.HasPrefix(ctype, "text/") {
		if cs := textCharset(a.path); cs != "" {
			params["charset"] = cs
		}
	}
	ct := mime.FormatMediaType(ctype, params)
	cd := mime.FormatMediaType("attachment", map[string]string{"filename": a.name})
	if ct == "" || cd == "" {
		return draftError("cannot attach %s: its name cannot be written in a header", a.path)
	}
	pw, err := mw.CreatePart(makeHeader([]headerField{
		{"Content-Type", ct},
		{"Content-Transfer-Encoding", "base64"},
		{"Content-Disposition", cd},
	}))
	if err != nil {
		return err
	}
	f, err := os.Open(a.path)
	if err != nil {
		return draftError("cannot attach %s: %v", a.path, unwrapPathError(err))
	}
	defer f.Close()
	var r io.Reader = f
	if d.Progress != nil {
		r = io.TeeReader(f, d.Progress)
	}
	n, err := io.Copy(pw, r)
	if err != nil {
		return fmt.Errorf("reading %s: %w", a.path, err)
	}
	if n != a.size {
		return draftError("%s changed while it was being attached (%d octets, not %d)", a.path, n, a.size)
	}
	return pw.Close()
}

// textCharset says "utf-8" for a text file that is UTF-8 but not ASCII
// (judged by its first 64 KiB); text attachments otherwise get no charset,
// which means US-ASCII (RFC 2046 §4.1.2).
func textCharset(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	if !isASCII(string(head[:n])) && validUTF8Prefix(head[:n]) {
		return "utf-8"
	}
	return ""
}

type headerField struct{ name, value string }

// makeHeader builds a go-message header that writes fields in the given
// order, with their names spelt as given ("Message-ID", "MIME-Version"
// rather than go-message's canonical "Message-Id").
func makeHeader(fields []headerField) gomessage.Header {
	var h gomessage.Header
	for i := len(fields) - 1; i >= 0; i-- {
		f := fields[i]
		if (f.name == "Message-ID" || f.name == "MIME-Version" || f.name == "Date") && len(f.name)+len(f.value) < 900 {
			h.AddRaw([]byte(f.name + ": " + f.value + "\r\n"))
		} else {
			h.Add(f.name, f.value)
		}
	}
	return h
}

func addressList(as []*mail.Address) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = formatAddress(a)
	}
	return strings.Join(s, ", ")
}

// formatAddress writes an address as people do: "a@example.org" alone,
// "Name <a@example.org>" when the name is plain ASCII words, and as
// net/mail does otherwise: quoted (RFC 5322 §3.2.4) or, for names that are
// not ASCII, as encoded words (RFC 2047).
func formatAddress(a *mail.Address) string {
	switch {
	case a.Name == "":
		return a.Address
	case isASCII(a.Name) && !strings.ContainsAny(a.Name, "()<>[]:;@\\,.\"\t") && strings.TrimSpace(a.Name) == a.Name:
		return a.Name + " <" + a.Address + ">"
	}
	return a.String()
}

// newMessageID makes an identifier unique in the world (RFC 5322 §3.6.4):
// 80 random bits and the time, at the sender's domain.
func newMessageID(from string) string {
	b := make([]byte, 10)
	rand.Read(b)
	domain := "mailsh.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i+1 < len(from) {
		domain = from[i+1:]
	}
	r := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return fmt.Sprintf("%s.%s@%s", strings.ToLower(fmt.Sprintf("%x", time.Now().Unix())), r, domain)
}

// newBoundary makes a multipart boundary that cannot occur in base64 or
// quoted-printable text: "=_" is neither (RFC 2045 §6.7, §6.8).
func newBoundary() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "=_mailsh_" + hex.EncodeToString(b)
}
