package imap

import (
	"bufio"
	"bytes"
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
// except in a mailbox opened with EXAMINE. The responses to a FETCH of
// several messages are gathered into large writes (trackedConn.cork),
// all sent before the command completes.
func (ss *session) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) (err error) {
	if err := ss.fault("imap.fetch", numSet.String()); err != nil {
		return err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	markSeen := false
	for _, bs := range options.BodySection {
		markSeen = markSeen || !bs.Peek
	}
	for _, bs := range options.BinarySection {
		markSeen = markSeen || !bs.Peek
	}
	markSeen = markSeen && !v.readOnly
	marked := false
	var bufs fetchBuffers
	indices := v.indices(numSet)
	if len(indices) > 1 && ss.tc != nil {
		ss.tc.cork()
		defer func() {
			if uerr := ss.tc.uncork(); err == nil {
				err = uerr
			}
		}()
	}
	for _, i := range indices {
		e := &v.msgs[i]
		seen := false
		if markSeen && !hasLetter(e.flags(), 'S') {
			info := applyFlags(e.flags(), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
			if err := v.setInfo(e, info); err == nil {
				seen, marked = true, true
			}
		}
		if err := v.fetchOne(w, uint32(i+1), e, options, seen, &bufs); err != nil {
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

// fetchBuffers are the buffers one FETCH command reads its messages
// with, made at its first message that needs them and used again for the
// others: a FETCH of many messages then allocates them once.
type fetchBuffers struct {
	file *bufio.Reader // over the message's file
	crlf crlfReader
	copy []byte // io.CopyBuffer's
}

// reader returns f's text from its start with CRLF line endings.
func (b *fetchBuffers) reader(f *os.File) *crlfReader {
	f.Seek(0, io.SeekStart)
	if b.file == nil {
		b.file = bufio.NewReaderSize(f, 64<<10)
	} else {
		b.file.Reset(f)
	}
	b.crlf = crlfReader{r: b.file}
	return &b.crlf
}

// fetchOne writes one message's FETCH response. A message whose file
// is gone (removed by another session, not yet expunged from this one's
// view) is left out.
func (v *view) fetchOne(w *imapserver.FetchWriter, seq uint32, e *entry, options *imap.FetchOptions, flagsChanged bool, bufs *fetchBuffers) error {
	var f *os.File
	if options.Envelope || options.BodyStructure != nil || options.InternalDate ||
		len(options.BodySection) > 0 || len(options.BinarySection) > 0 || len(options.BinarySectionSize) > 0 {
		var err error
		if f, err = v.open(e); err != nil {
			return nil
		}
		defer f.Close()
	}
	rw := w.CreateMessage(seq)
	// The response holds the connection's writer until it is closed,
	// even when writing it failed: a session whose client went away
	// mid-FETCH must still be able to end (and Shutdown to say BYE).
	closed := false
	defer func() {
		if !closed {
			rw.Close()
		}
	}()
	rw.WriteUID(e.uid)
	if options.Flags || flagsChanged {
		rw.WriteFlags(e.flagList())
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
		h, err := textproto.ReadHeader(bufio.NewReader(bufs.reader(f)))
		if err == nil {
			rw.WriteEnvelope(imapserver.ExtractEnvelope(h))
		} else {
			rw.WriteEnvelope(&imap.Envelope{})
		}
	}
	if options.BodyStructure != nil {
		rw.WriteBodyStructure(imapserver.ExtractBodyStructure(bufs.reader(f)))
	}
	for _, bs := range options.BodySection {
		if bs.Specifier == imap.PartSpecifierNone && len(bs.Part) == 0 && bs.Partial == nil {
			wc := rw.WriteBodySection(bs, e.size)
			// Exactly the size announced, so that a file changed behind
			// the server's back cannot break the literal's framing (as
			// io.CopyN, with a buffer kept for the whole command).
			if bufs.copy == nil {
				bufs.copy = make([]byte, 32<<10)
			}
			n, err := io.CopyBuffer(wc, io.LimitReader(bufs.reader(f), e.size), bufs.copy)
			if err == nil && n < e.size {
				err = io.EOF
			}
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			continue
		}
		b := imapserver.ExtractBodySection(bufs.reader(f), bs)
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
		b := imapserver.ExtractBinarySection(bufs.reader(f), bs)
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
		rw.WriteBinarySectionSize(bs, imapserver.ExtractBinarySectionSize(bufs.reader(f), bs))
	}
	closed = true
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

var (
	crlf = []byte("\r\n")
	lf   = []byte("\n")
)

// Read copies the buffered text up to the next LF at a time, rather than
// a byte at a time.
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
		if c.r.Buffered() == 0 {
			if _, err := c.r.Peek(1); err == io.EOF {
				c.eof = true
				switch {
				case !c.any || c.prev == '\n':
				case c.prev == '\r':
					c.pending = lf
				default:
					c.pending = crlf
				}
				continue
			} else if err != nil {
				return n, err
			}
		}
		b, _ := c.r.Peek(c.r.Buffered())
		b = b[:min(len(b), len(p)-n)]
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			n += copy(p[n:], b)
			c.r.Discard(len(b))
			c.prev, c.any = b[len(b)-1], true
			continue
		}
		n += copy(p[n:], b[:i])
		before := c.prev
		if i > 0 {
			before = b[i-1]
		}
		if before == '\r' {
			p[n] = '\n' // room: i < len(b) <= len(p)-n before the copy
			n++
		} else {
			c.pending = crlf
		}
		c.r.Discard(i + 1)
		c.prev, c.any = '\n', true
	}
	if n == 0 && c.eof {
		return 0, io.EOF
	}
	return n, nil
}
