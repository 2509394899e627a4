package imap

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailsh/mailsh/loopback"
)

func readOnlyErr() error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: "READ-ONLY", Text: "The mailbox was opened with EXAMINE: SELECT it to change it"}
}

// Store changes flags (RFC 9051 §6.4.6) by renaming files; without
// .SILENT the new flags are sent back.
func (ss *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, _ *imap.StoreOptions) error {
	if err := ss.fault("imap.store", numSet.String()); err != nil {
		return err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	if v.readOnly {
		return readOnlyErr()
	}
	changed := false
	for _, i := range v.indices(numSet) {
		e := &v.msgs[i]
		info := applyFlags(e.flags(), flags)
		if info != e.flags() {
			if err := v.setInfo(e, info); err != nil {
				continue // gone: removed by another session
			}
			changed = true
		}
		if !flags.Silent {
			rw := w.CreateMessage(uint32(i + 1))
			rw.WriteUID(e.uid)
			rw.WriteFlags(e.flagList())
			if err := rw.Close(); err != nil {
				return err
			}
		}
	}
	if changed {
		ss.srv.store.Changed(ss.account)
	}
	return nil
}

// Expunge removes the messages flagged \Deleted (RFC 9051 §6.4.3), or
// those of them in uids (UID EXPUNGE, RFC 4315 §2.1). The next POP3
// login no longer lists them.
func (ss *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if err := ss.fault("imap.expunge", ""); err != nil {
		return err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	if v.readOnly {
		return readOnlyErr()
	}
	removed := 0
	for i := len(v.msgs) - 1; i >= 0; i-- {
		e := &v.msgs[i]
		if !hasLetter(e.flags(), 'T') || (uids != nil && !uids.Contains(e.uid)) {
			continue
		}
		err := os.Remove(e.path(v.dir))
		if os.IsNotExist(err) && v.relocate(e) {
			err = os.Remove(e.path(v.dir))
		}
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if err := w.WriteExpunge(uint32(i + 1)); err != nil {
			return err
		}
		v.msgs = append(v.msgs[:i], v.msgs[i+1:]...)
		removed++
	}
	if removed > 0 {
		loopback.SyncDir(filepath.Join(v.dir, "cur"))
		ss.srv.store.Changed(ss.account)
		ss.srv.lb.Logf("imap#%d expunged %d message(s) from %s's mailbox", ss.id, removed, ss.account)
	}
	return nil
}

// Copy copies messages to another mailbox with their flags and dates
// (RFC 9051 §6.4.7), each to a file of its own, and answers with their
// new UIDs (COPYUID, RFC 4315 §3).
func (ss *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if err := ss.fault("imap.copy", dest); err != nil {
		return nil, err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	dir, err := ss.openFolder(dest, true)
	if err != nil {
		return nil, err
	}
	var src imap.UIDSet
	var uniques []string
	for _, i := range v.indices(numSet) {
		e := &v.msgs[i]
		u, err := ss.copyFile(v, e, dir)
		if err != nil {
			return nil, err
		}
		if u != "" {
			src.AddNum(e.uid)
			uniques = append(uniques, u)
		}
	}
	loopback.SyncDir(filepath.Join(dir, "cur"))
	ss.srv.store.Changed(ss.account)
	return ss.copyData(dir, src, uniques)
}

// copyFile writes a copy of a message into dir's cur/, through tmp/ and
// fsynced first, and returns its unique name ("" if the message is gone).
func (ss *session) copyFile(v *view, e *entry, dir string) (string, error) {
	in, err := v.open(e)
	if err != nil {
		return "", nil
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", err
	}
	unique := ss.srv.store.UniqueName()
	tmp := filepath.Join(dir, "tmp", unique)
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	n, err := io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "cur", loopback.SizedName(unique, n, e.size)+":2,"+e.flags()))
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return unique, nil
}

// copyData finds the UIDs the destination gave the files named uniques.
func (ss *session) copyData(dir string, src imap.UIDSet, uniques []string) (*imap.CopyData, error) {
	msgs, validity, _, err := ss.srv.scan(dir, false)
	if err != nil {
		return nil, err
	}
	byUnique := make(map[string]imap.UID, len(msgs))
	for i := range msgs {
		byUnique[msgs[i].unique] = msgs[i].uid
	}
	data := &imap.CopyData{UIDValidity: validity, SourceUIDs: src}
	for _, u := range uniques {
		if uid, ok := byUnique[u]; ok {
			data.DestUIDs.AddNum(uid)
		}
	}
	return data, nil
}

// Move moves messages to another mailbox (RFC 6851): each file is renamed
// into the other folder's cur/, keeping its name, flags and date.
func (ss *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if err := ss.fault("imap.move", dest); err != nil {
		return err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	if v.readOnly {
		return readOnlyErr()
	}
	dir, err := ss.openFolder(dest, true)
	if err != nil {
		return err
	}
	if dir == v.dir {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "The messages are in that mailbox already"}
	}
	idx := v.indices(numSet)
	var src imap.UIDSet
	var uniques []string
	moved := map[int]bool{}
	for _, i := range idx {
		e := &v.msgs[i]
		base := e.name
		if e.sub == "new" {
			base += ":2,"
		}
		err := os.Rename(e.path(v.dir), filepath.Join(dir, "cur", base))
		if os.IsNotExist(err) && v.relocate(e) {
			err = os.Rename(e.path(v.dir), filepath.Join(dir, "cur", base))
		}
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		src.AddNum(e.uid)
		uniques = append(uniques, e.unique)
		moved[i] = true
	}
	loopback.SyncDir(filepath.Join(dir, "cur"))
	loopback.SyncDir(filepath.Join(v.dir, "cur"))
	data, err := ss.copyData(dir, src, uniques)
	if err != nil {
		return err
	}
	if err := w.WriteCopyData(data); err != nil {
		return err
	}
	for i := len(v.msgs) - 1; i >= 0; i-- {
		if moved[i] {
			if err := w.WriteExpunge(uint32(i + 1)); err != nil {
				return err
			}
			v.msgs = append(v.msgs[:i], v.msgs[i+1:]...)
		}
	}
	ss.srv.store.Changed(ss.account)
	return nil
}

// Append stores a message (RFC 9051 §6.3.12) as a delivery does: written
// to tmp/ with LF line endings and fsynced, then renamed into cur/ with
// its sizes and flags in the name, and cur/ fsynced before the OK. Its
// date, if given, becomes the file's modification time.
func (ss *session) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	if err := ss.fault("imap.append", mailbox); err != nil {
		return nil, err
	}
	dir, err := ss.openFolder(mailbox, true)
	if err != nil {
		return nil, err
	}
	unique := ss.srv.store.UniqueName()
	tmp := filepath.Join(dir, "tmp", unique)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	lw := &lfWriter{w: bufio.NewWriterSize(f, 64<<10)}
	_, err = io.Copy(lw, r)
	if err == nil {
		err = lw.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !options.Time.IsZero() {
		err = os.Chtimes(tmp, options.Time, options.Time)
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, "cur", loopback.SizedName(unique, lw.size, lw.vsize())+":2,"+infoOf(options.Flags)))
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	loopback.SyncDir(filepath.Join(dir, "cur"))
	ss.srv.store.Changed(ss.account)
	data, err := ss.copyData(dir, nil, []string{unique})
	if err != nil {
		return nil, err
	}
	out := &imap.AppendData{UIDValidity: data.UIDValidity}
	if uids, _ := data.DestUIDs.Nums(); len(uids) == 1 {
		out.UID = uids[0]
	}
	ss.srv.lb.Logf("imap#%d appended a message of %d octets to %s", ss.id, lw.vsize(), mailbox)
	return out, nil
}

// lfWriter stores a message that arrives with CRLF line endings with LF
// ones, as Maildir files hold them, and counts the octets written (",S=")
// and the octets with CRLF line endings (",W=") by the rule crlfReader
// sends them back with.
type lfWriter struct {
	w    *bufio.Writer
	cr   bool  // a CR is held back: it may begin a CRLF
	size int64 // octets written
	bare int64 // LFs not after a CR, each one more octet as CRLF
	last byte  // the last octet written
}

func (l *lfWriter) put(b byte) error {
	if b == '\n' && l.last != '\r' {
		l.bare++
	}
	l.size++
	l.last = b
	return l.w.WriteByte(b)
}

func (l *lfWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if l.cr {
			l.cr = false
			if b == '\n' {
				if err := l.put('\n'); err != nil {
					return 0, err
				}
				continue
			}
			if err := l.put('\r'); err != nil {
				return 0, err
			}
		}
		if b == '\r' {
			l.cr = true
			continue
		}
		if err := l.put(b); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (l *lfWriter) Close() error {
	if l.cr {
		if err := l.put('\r'); err != nil {
			return err
		}
	}
	return l.w.Flush()
}

// vsize is the size with CRLF line endings, a final line ending included.
func (l *lfWriter) vsize() int64 {
	n := l.size + l.bare
	switch {
	case l.size == 0 || l.last == '\n':
	case l.last == '\r':
		n++
	default:
		n += 2
	}
	return n
}
