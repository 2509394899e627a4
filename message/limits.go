package message

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Limits that keep memory and time bounded whatever the input. RFC 5322
// sets no limit on a header's size; these are far above what real mail
// carries (Postfix refuses headers over 100 KiB by default).
const (
	// MaxHeaderBytes bounds one header section (the message's own, or a
	// part's). 4 MiB holds a 10,000-hop Received chain.
	MaxHeaderBytes = 4 << 20
	// MaxDepth bounds the nesting of multiparts and attached messages.
	MaxDepth = 32
	// MaxParts bounds the number of parts read in one message.
	MaxParts = 10000
	// maxBetweenParts bounds what a multipart reader may consume between
	// two parts: a part's header and the preamble or epilogue around it.
	maxBetweenParts = 1 << 20
	// maxFieldParse bounds how much of one field value is parsed (a
	// Received or Authentication-Results field); the rest is ignored.
	maxFieldParse = 16 << 10
)

var errHeaderTooLarge = errors.New("header larger than the limit")

// capReader returns an error instead of data once n bytes have been read
// while it is armed: it stops go-message's header and multipart readers,
// which accumulate a header line by line, from growing without bound on
// hostile input.
type capReader struct {
	r     io.Reader
	left  int64
	armed bool
	err   error // returned when the cap is reached
	hit   bool  // the cap was reached
}

func (c *capReader) arm(n int64, err error) { c.armed, c.left, c.err = true, n, err }
func (c *capReader) disarm()                { c.armed = false }

func (c *capReader) Read(p []byte) (int, error) {
	if !c.armed {
		return c.r.Read(p)
	}
	if c.left <= 0 {
		c.hit = true
		return 0, c.err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// readHeader reads one header section (RFC 5322 §2.2) from r, up to the
// blank line, and returns it with a reader for what follows (the body).
func readHeader(r io.Reader, part string) (textproto.Header, io.Reader, error) {
	cr := &capReader{r: r}
	cr.arm(MaxHeaderBytes, errHeaderTooLarge)
	br := bufio.NewReaderSize(cr, 64<<10)
	h, err := textproto.ReadHeader(br)
	cr.disarm()
	if err != nil {
		if cr.hit || errors.Is(err, errHeaderTooLarge) {
			return h, nil, errorf(ErrTooLarge, part, nil, "header larger than %d MiB, or no blank line ends it", MaxHeaderBytes>>20)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// A message that is all header and no blank line is still a
			// message (RFC 5322 §3.5: the body is optional).
			return h, eofReader{}, nil
		}
		return h, nil, errorf(ErrMalformed, part, nil, "%s", headerProblem(err))
	}
	return h, br, nil
}

// headerProblem words go-message's complaint about a header line: the
// offending text is quoted in ASCII, briefly, since it may be binary.
func headerProblem(err error) string {
	s := err.Error()
	for _, kind := range []string{"malformed MIME header initial line: ", "malformed MIME header line: ", "malformed MIME header key: "} {
		if i := strings.Index(s, kind); i >= 0 {
			what := s[i+len(kind):]
			if len(what) > 40 {
				what = what[:40] + "…"
			}
			return "not a message: the header has a line that is not a field (RFC 5322 §2.2 \"Name: value\"): " + quote(what)
		}
	}
	return "unreadable header: " + trimLibPrefix(err)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// trimLibPrefix shortens go-message's error texts ("message: malformed
// MIME header line: …") for people, and bounds what they quote.
func trimLibPrefix(err error) string {
	s := err.Error()
	for _, p := range []string{"message: ", "multipart: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			s = s[len(p):]
		}
	}
	return clip(printable(s), 200)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// HumanSize writes a size for people: 512 B, 8.8 KiB, 20.0 MiB.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
