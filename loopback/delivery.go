package loopback

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Delivery is one message being written into one or more mailboxes. The
// session that receives it streams the message text into it (Write, in
// the CRLF form the mail protocols carry) and then either commits it, after which the message is
// durably in every mailbox's new/, or aborts it, after which no trace is
// left but files in tmp/.
//
// The first mailbox's copy is written as the text arrives; the copies for
// further mailboxes, which differ only in their trace fields, are made from
// the first file at commit time, so the text is never held in memory.
type Delivery struct {
	store *Store
	env   *Envelope
	boxes []*boxCopy

	hf   *headerFixer
	lf   *lfWriter
	bw   *bufio.Writer
	err  error
	done bool
}

// boxCopy is the copy of the message bound for one mailbox.
type boxCopy struct {
	account string
	addrs   []string
	unique  string
	tmpPath string
	f       file
	unnamed *os.File // f, if it is a spare file without a name
	// prefix is the size and CRLF size of the trace fields at the top.
	prefix, vprefix int64
	size, vsize     int64
	final           string // the path in new/ once renamed
}

// Begin starts a delivery for env's recipients. maxLine, if positive,
// limits the length of the message's lines (RFC 5321 §4.5.3.1.6).
func (s *Store) Begin(env *Envelope, maxLine int) (*Delivery, error) {
	d := &Delivery{store: s, env: env}
	byBox := map[string]*boxCopy{}
	for _, r := range env.Recipients {
		b := byBox[r.Account]
		if b == nil {
			b = &boxCopy{account: r.Account}
			byBox[r.Account] = b
			d.boxes = append(d.boxes, b)
		}
		b.addrs = append(b.addrs, r.Addr)
	}
	if len(d.boxes) == 0 {
		return nil, errors.New("a delivery needs at least one recipient")
	}
	for _, b := range d.boxes {
		if err := s.ensure(b.account); err != nil {
			d.Abort()
			return nil, err
		}
		b.unique = s.uniqueName(env.Time)
		if f := s.takeSpare(b.account); f != nil {
			b.f, b.unnamed = f, f
			b.tmpPath = f.Name()
			continue
		}
		b.tmpPath = filepath.Join(s.Maildir(b.account), "tmp", b.unique)
		create := s.create
		if create == nil {
			create = createFile
		}
		f, err := create(b.tmpPath)
		if err != nil {
			d.Abort()
			return nil, &StoreError{Op: "create", Path: b.tmpPath, Err: err}
		}
		b.f = f
	}
	first := d.boxes[0]
	d.bw = fileWriters.Get().(*bufio.Writer)
	d.bw.Reset(first.f)
	d.lf = newLFWriter(d.bw, maxLine)
	trace := traceFields(env, first.addrs)
	// The trace fields are ours: no line limit applies to them.
	d.lf.MaxLine = 0
	if _, err := d.lf.Write(trace); err != nil {
		d.Abort()
		return nil, &StoreError{Op: "write", Path: first.tmpPath, Err: err}
	}
	d.lf.MaxLine = maxLine
	first.prefix, first.vprefix = d.lf.Size, d.lf.VSize
	d.hf = newHeaderFixer(d.lf, addedFields(env))
	return d, nil
}

// fileWriters and copyBufs keep the buffers of finished deliveries for
// the next: a delivery's 96 KB are not allocated and cleared anew for
// each of thousands of small messages.
var (
	fileWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}
	copyBufs    = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
)

// releaseBuf gives the file's buffered writer back, once nothing is
// written through it any more.
func (d *Delivery) releaseBuf() {
	if d.bw != nil {
		d.bw.Reset(nil)
		fileWriters.Put(d.bw)
		d.bw = nil
	}
}

// ReadFrom adds the message text r gives until it ends (io.Copy uses it,
// with a buffer kept from delivery to delivery).
func (d *Delivery) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bp)
	return io.CopyBuffer(writerOnly{d}, r, *bp)
}

// writerOnly hides ReadFrom from io.CopyBuffer, which would call it again.
type writerOnly struct{ io.Writer }

// Write adds message text, in the form the mail protocols carry it (CRLF
// line endings, after dot-unstuffing).
func (d *Delivery) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	if d.done {
		// Its buffer may serve another delivery now.
		return 0, errors.New("delivery already finished")
	}
	if _, err := d.hf.Write(p); err != nil {
		d.fail(err)
		return 0, d.err
	}
	return len(p), nil
}

// fail records the first error, as a *StoreError unless it is a line that
// is too long (the client's fault, not the store's).
func (d *Delivery) fail(err error) {
	if d.err != nil {
		return
	}
	var le *LineLengthError
	if errors.As(err, &le) {
		d.err = le
		return
	}
	d.err = &StoreError{Op: "write", Path: d.boxes[0].tmpPath, Err: err}
}

// Err returns the error that stopped the delivery, if any.
func (d *Delivery) Err() error { return d.err }

// Commit makes the message durable in every mailbox: it finishes and
// fsyncs each file, then hands them to the store's group commit, which
// names them in new/ (a link for a file without a name, else a rename from
// tmp/) and fsyncs new/ once for every delivery waiting. Only when it
// returns nil may the server say 250 (RFC 5321 §4.2.5, §6.1: the server
// takes responsibility for the message with that reply). On error nothing
// is left in new/.
func (d *Delivery) Commit() ([]string, error) {
	if d.done {
		return nil, errors.New("delivery already finished")
	}
	if d.err == nil {
		if err := d.hf.Close(); err != nil {
			d.fail(err)
		} else if err := d.lf.Flush(); err != nil {
			d.fail(err)
		}
	}
	if d.err != nil {
		d.Abort()
		return nil, d.err
	}
	first := d.boxes[0]
	first.size, first.vsize = d.lf.Size, d.lf.VSize
	for _, b := range d.boxes[1:] {
		if err := d.copyFrom(first, b); err != nil {
			d.fail(err)
			d.Abort()
			return nil, d.err
		}
	}
	for _, b := range d.boxes {
		if err := b.f.Sync(); err != nil {
			d.err = &StoreError{Op: "sync", Path: b.tmpPath, Err: err}
			d.Abort()
			return nil, d.err
		}
	}
	if err := d.store.publish(d.boxes); err != nil {
		d.err = err
		d.Abort()
		return nil, d.err
	}
	var paths []string
	for _, b := range d.boxes {
		if err := b.f.Close(); err != nil {
			// The bytes were synced and the name is durable: a late
			// close error changes nothing on disk.
			d.store.logf("close %s: %v", b.final, err)
		}
		b.f = nil
		paths = append(paths, b.final)
	}
	d.done = true
	d.releaseBuf()
	return paths, nil
}

// copyFrom writes the copy for mailbox b: its own trace fields, then the
// message text as stored in the first copy.
func (d *Delivery) copyFrom(first, b *boxCopy) error {
	bw := bufio.NewWriterSize(b.f, 64<<10)
	lf := newLFWriter(bw, 0)
	if _, err := lf.Write(traceFields(d.env, b.addrs)); err != nil {
		return err
	}
	if err := lf.Flush(); err != nil {
		return err
	}
	body := io.NewSectionReader(first.f, first.prefix, first.size-first.prefix)
	n, err := io.Copy(b.f, body)
	if err != nil {
		return err
	}
	b.size = lf.Size + n
	b.vsize = lf.VSize + (first.vsize - first.vprefix)
	return nil
}

// Accounts are the accounts whose mailboxes the message goes to, one each.
func (d *Delivery) Accounts() []string {
	var accounts []string
	for _, b := range d.boxes {
		accounts = append(accounts, b.account)
	}
	return accounts
}

// ID is the transaction's id, as the Envelope gave it.
func (d *Delivery) ID() string { return d.env.ID }

// Size is the first mailbox's copy's size with CRLF line endings, once
// committed.
func (d *Delivery) Size() int64 { return d.boxes[0].vsize }

// Abort abandons the delivery and removes its files from tmp/.
func (d *Delivery) Abort() {
	if d.done {
		return
	}
	d.done = true
	d.releaseBuf()
	for _, b := range d.boxes {
		if b.f != nil {
			b.f.Close()
			b.f = nil
		}
		if b.tmpPath != "" && b.unnamed == nil {
			os.Remove(b.tmpPath)
		}
	}
}
