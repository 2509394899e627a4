package loopback

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// Delivery is one message being written into one or more mailboxes. The
// SMTP session streams the message text into it (Write, in the CRLF form
// SMTP carries) and then either commits it, after which the message is
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
		b.tmpPath = filepath.Join(s.Maildir(b.account), "tmp", b.unique)
		f, err := s.create(b.tmpPath)
		if err != nil {
			d.Abort()
			return nil, &StoreError{Op: "create", Path: b.tmpPath, Err: err}
		}
		b.f = f
	}
	first := d.boxes[0]
	d.bw = bufio.NewWriterSize(first.f, 64<<10)
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

// Write adds message text, in the form SMTP carries it (CRLF line endings,
// after dot-unstuffing).
func (d *Delivery) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
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
// fsyncs each file, renames it into new/, and fsyncs new/. Only when it
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
		err := b.f.Sync()
		if cerr := b.f.Close(); err == nil {
			err = cerr
		}
		b.f = nil
		if err != nil {
			d.err = &StoreError{Op: "sync", Path: b.tmpPath, Err: err}
			d.Abort()
			return nil, d.err
		}
	}
	var renamed []*boxCopy
	for _, b := range d.boxes {
		final := filepath.Join(d.store.Maildir(b.account), "new", sizedName(b.unique, b.size, b.vsize))
		if err := os.Rename(b.tmpPath, final); err != nil {
			// Take back what was renamed: the client will be told to
			// retry, and must not find a copy delivered twice.
			for _, r := range renamed {
				os.Remove(r.final)
			}
			d.err = &StoreError{Op: "rename", Path: b.tmpPath, Err: err}
			d.Abort()
			return nil, d.err
		}
		b.final = final
		renamed = append(renamed, b)
	}
	var paths []string
	for _, b := range d.boxes {
		if err := syncDir(filepath.Dir(b.final)); err != nil {
			// The rename happened; only its durability is in doubt.
			// Refusing now would make the client send it again.
			d.store.logf("fsync %s: %v", filepath.Dir(b.final), err)
		}
		paths = append(paths, b.final)
	}
	d.done = true
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

// Abort abandons the delivery and removes its files from tmp/.
func (d *Delivery) Abort() {
	if d.done {
		return
	}
	d.done = true
	for _, b := range d.boxes {
		if b.f != nil {
			b.f.Close()
			b.f = nil
		}
		if b.tmpPath != "" {
			os.Remove(b.tmpPath)
		}
	}
}
