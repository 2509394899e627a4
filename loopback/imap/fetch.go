package imap

import (
	"bufio"
	"io"
	"os"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"
)

// Fetch answers FETCH and UID FETCH (RFC 9051 §6.4.5). BODY[] and
// RFC822 are streamed from the file, its LF line endings sent as CRLF,
// and their size, like RFC822.SIZE, is Maildir++'s ",W=": the same
// octets POP3's RETR sends. Other sections (a part, the header, TEXT, a
// partial range) are cut out by go-imap's helpers, which hold the
// message in memory. A body section without PEEK sets \Seen (§6.4.5),
// except in a mailbox opened with EXAMINE.
func (ss *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if err := ss.fault("imap.fetch", numSet.String()); err != nil {
		return err
	}
	v := ss.view
	markSeen := false
	for _, bs := range options.BodySection {
		markSeen = markSeen || !bs.Peek
	}
	for _, bs := range options.BinarySection {
		markSeen = markSeen || !bs.Peek
	}
	markSeen = markSeen && !v.readOnly
	marked := false
	for _, i := range v.indices(numSet) {
		e := &v.msgs[i]
		seen := false
		if markSeen && !hasLetter(e.flags(), 'S') {
			info := applyFlags(e.flags(), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
			if err := v.setInfo(e, info); err == nil {
				seen, marked = true, true
			}
		}
		if err := v.fetchOne(w, uint32(i+1), e, options, seen); err != nil {
			return err
		}
	}
	if marked {
		ss.srv.store.Changed(ss.account)
	}
	return nil
}

func hasLetter(info string, l byte) bool {
	for i := 0; i < len(info); i++ {
		if info[i] == l {
			return true
		}
	}
	return false
}

// fetchOne writes one message's FETCH response. A message whose file
// is gone (removed by another session, not yet expunged from this one's
// view) is left out.
func (v *view) fetchOne(w *imapserver.FetchWriter, seq uint32, e *entry, options *imap.FetchOptions, flagsChanged bool) error {
	var f *os.File
	if options.Envelope || options.BodyStructure != nil || options.InternalDate ||
		len(options.BodySection) > 0 || len(options.BinarySection) > 0 || len(options.BinarySectionSize) > 0 {
		var err error
		if f, err = v.open(e); err != nil {
			return nil
		}
		defer f.Close()
	}
	rewind := func() io.Reader {
		f.Seek(0, io.SeekStart)
		return bufio.NewReaderSize(f, 64<<10)
	}
	rw := w.CreateMessage(seq)
	rw.WriteUID(e.uid)
	if options.Flags || flagsChanged {
		rw.WriteFlags(flagList(e.flags()))
	}
	if options.InternalDate {
		// The internal date is the file's modification time, as Dovecot
		// keeps it; APPEND sets it.
		if fi, err := f.Stat(); err == nil {
			rw.WriteInternalDate(fi.ModTime())
		}
	}
	if options.RFC822Size {
		rw.WriteRFC822Size(e.size)
	}
	if options.Envelope {
		h, err := textproto.ReadHeader(bufio.NewReader(rewind()))
		if err == nil {
			rw.WriteEnvelope(imapserver.ExtractEnvelope(h))
		} else {
			rw.WriteEnvelope(&imap.Envelope{})
		}
	}
	if options.BodyStructure != nil {
		rw.WriteBodyStructure(imapserver.ExtractBodyStructure(newCRLFReader(rewind())))
	}
	for _, bs := range options.BodySection {
		if bs.Specifier == imap.PartSpecifierNone && len(bs.Part) == 0 && bs.Partial == nil {
			wc := rw.WriteBodySection(bs, e.size)
			// Exactly the size announced, so that a file changed behind
			// the server's back cannot break the literal's framing.
			_, err := io.CopyN(wc, newCRLFReader(rewind()), e.size)
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			continue
		}
		b := imapserver.ExtractBodySection(newCRLFReader(rewind()), bs)
		wc := rw.WriteBodySection(bs, int64(len(b)))
		_, err := wc.Write(b)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	for _, bs := range options.BinarySection {
		b := imapserver.ExtractBinarySection(newCRLFReader(rewind()), bs)
		wc := rw.WriteBinarySection(bs, int64(len(b)))
		_, err := wc.Write(b)
		if cerr := wc.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	for _, bs := range options.BinarySectionSize {
		rw.WriteBinarySectionSize(bs, imapserver.ExtractBinarySectionSize(newCRLFReader(rewind()), bs))
	}
	return rw.Close()
}

// crlfReader gives a Maildir file's text with CRLF line endings, as IMAP
// sends it (RFC 9051 §2.2), by the rule POP3 counts ",W=" with: an LF
// not after a CR goes out as CRLF, a CR not before an LF as it is, and a
// file that does not end in LF gets a line ending (just LF after a final
// CR).
type crlfReader struct {
	r       *bufio.Reader
	prev    byte
	any     bool
	pending []byte
	eof     bool
}

func newCRLFReader(r io.Reader) *crlfReader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &crlfReader{r: br}
}

var (
	crlf = []byte("\r\n")
	lf   = []byte("\n")
)

func (c *crlfReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(c.pending) > 0 {
			k := copy(p[n:], c.pending)
			c.pending = c.pending[k:]
			n += k
			continue
		}
		if c.eof {
			break
		}
		b, err := c.r.ReadByte()
		if err == io.EOF {
			c.eof = true
			switch {
			case !c.any || c.prev == '\n':
			case c.prev == '\r':
				c.pending = lf
			default:
				c.pending = crlf
			}
			continue
		}
		if err != nil {
			return n, err
		}
		if b == '\n' && c.prev != '\r' {
			c.pending = crlf
		} else {
			p[n] = b
			n++
		}
		c.prev, c.any = b, true
	}
	if n == 0 && c.eof {
		return 0, io.EOF
	}
	return n, nil
}
