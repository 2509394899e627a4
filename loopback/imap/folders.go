package imap

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// Mailboxes are Maildir++ folders: INBOX is the account's Maildir, and a
// mailbox "Sent" is its subdirectory ".Sent", "Lists.Go" is ".Lists.Go",
// each a Maildir of its own, as Dovecot, Courier and mutt lay them out.
// The hierarchy delimiter is ".", Maildir++'s.
const delim = '.'

// inbox is the one mailbox name that is the same in any case (RFC 9051
// §5.1).
const inbox = "INBOX"

// folderDir returns the directory of a mailbox, or an error if the name
// cannot be one: names are printable ASCII without "/" or "\", and no
// level of the hierarchy is empty.
func (ss *session) folderDir(name string) (string, error) {
	if strings.EqualFold(name, inbox) {
		return ss.maildir, nil
	}
	if name == "" || name[0] == delim || name[len(name)-1] == delim || strings.Contains(name, "..") {
		return "", noSuch(name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '/' || c == '\\' || c == '*' || c == '%' {
			return "", &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot,
				Text: "Mailbox names here are printable ASCII without / \\ * %"}
		}
	}
	return filepath.Join(ss.maildir, "."+name), nil
}

// exists reports whether a mailbox's Maildir is there.
func exists(dir string) bool {
	fi, err := os.Stat(filepath.Join(dir, "cur"))
	return err == nil && fi.IsDir()
}

func noSuch(name string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: "No mailbox " + name}
}

// openFolder returns the directory of an existing mailbox; for APPEND,
// COPY and MOVE a missing one says TRYCREATE (RFC 9051 §6.3.12).
func (ss *session) openFolder(name string, tryCreate bool) (string, error) {
	dir, err := ss.folderDir(name)
	if err != nil {
		return "", err
	}
	if !exists(dir) {
		if tryCreate {
			return "", &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: "No mailbox " + name + ": CREATE it first"}
		}
		return "", noSuch(name)
	}
	return dir, nil
}

// folderNames lists the account's mailboxes: INBOX, then the Maildir++
// subfolders in name order.
func (ss *session) folderNames() ([]string, error) {
	des, err := os.ReadDir(ss.maildir)
	if err != nil {
		return nil, err
	}
	names := []string{inbox}
	for _, de := range des {
		n := de.Name()
		if !de.IsDir() || len(n) < 2 || n[0] != '.' || n == ".." {
			continue
		}
		if exists(filepath.Join(ss.maildir, n)) {
			names = append(names, n[1:])
		}
	}
	slices.Sort(names[1:])
	return names, nil
}

// List answers LIST (RFC 9051 §6.3.9), with LIST-STATUS's STATUS return
// option (RFC 5819).
func (ss *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if err := ss.fault("imap.list", strings.Join(patterns, " ")); err != nil {
		return err
	}
	if len(patterns) == 1 && patterns[0] == "" {
		// RFC 9051 §6.3.9: an empty pattern asks for the delimiter.
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: delim})
	}
	names, err := ss.folderNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		match := false
		for _, p := range patterns {
			if imapserver.MatchList(name, delim, ref, p) {
				match = true
				break
			}
		}
		if !match {
			continue
		}
		data := &imap.ListData{Mailbox: name, Delim: delim}
		children := false
		for _, other := range names {
			if strings.HasPrefix(other, name+string(delim)) {
				children = true
				break
			}
		}
		if children {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		if options.SelectSubscribed || options.ReturnSubscribed {
			// Every mailbox counts as subscribed: there is no list of
			// subscriptions to keep.
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		if options.ReturnStatus != nil {
			if data.Status, err = ss.Status(name, options.ReturnStatus); err != nil {
				return err
			}
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

// Status answers STATUS (RFC 9051 §6.3.11). It does not move messages
// from new/ to cur/: the client has not seen them.
func (ss *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	if err := ss.fault("imap.status", name); err != nil {
		return nil, err
	}
	dir, err := ss.openFolder(name, false)
	if err != nil {
		return nil, err
	}
	msgs, validity, next, err := ss.srv.scan(dir, false)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(name, inbox) {
		name = inbox
	}
	data := &imap.StatusData{Mailbox: name}
	n := uint32(len(msgs))
	var unseen, deleted uint32
	var size int64
	for i := range msgs {
		f := msgs[i].flags()
		if !strings.ContainsRune(f, 'S') {
			unseen++
		}
		if strings.ContainsRune(f, 'T') {
			deleted++
		}
		size += msgs[i].size
	}
	if options.NumMessages {
		data.NumMessages = &n
	}
	if options.UIDNext {
		data.UIDNext = next
	}
	if options.UIDValidity {
		data.UIDValidity = validity
	}
	if options.NumUnseen {
		data.NumUnseen = &unseen
	}
	if options.NumDeleted {
		data.NumDeleted = &deleted
	}
	if options.Size {
		data.Size = &size
	}
	if options.NumRecent {
		zero := uint32(0) // \Recent is not kept (RFC 9051 drops it)
		data.NumRecent = &zero
	}
	return data, nil
}

// Create makes a mailbox: a Maildir++ subfolder with cur/, new/, tmp/ and
// the maildirfolder marker file Maildir++ asks for (RFC 9051 §6.3.4).
// Parents are not made: "A.B" is a folder of its own, ".A.B".
func (ss *session) Create(name string, _ *imap.CreateOptions) error {
	if err := ss.fault("imap.create", name); err != nil {
		return err
	}
	name = strings.TrimSuffix(name, string(delim))
	if strings.EqualFold(name, inbox) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "INBOX exists always"}
	}
	dir, err := ss.folderDir(name)
	if err != nil {
		return err
	}
	if exists(dir) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "Mailbox " + name + " exists already"}
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "maildirfolder"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	ss.srv.lb.Logf("imap#%d %s created mailbox %s", ss.id, ss.account, name)
	return nil
}

// Delete removes a mailbox and its messages (RFC 9051 §6.3.5); INBOX
// cannot be deleted, and the mailboxes below this one stay.
func (ss *session) Delete(name string) error {
	if err := ss.fault("imap.delete", name); err != nil {
		return err
	}
	if strings.EqualFold(name, inbox) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "INBOX cannot be deleted"}
	}
	dir, err := ss.openFolder(name, false)
	if err != nil {
		return err
	}
	if ss.view != nil && ss.view.dir == dir {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeInUse, Text: "Mailbox " + name + " is selected: UNSELECT it first"}
	}
	ss.srv.waitMoves(dir) // no rename into cur/ while it is removed
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	ss.srv.folders.Delete(dir)
	ss.srv.store.Changed(ss.account)
	ss.srv.lb.Logf("imap#%d %s deleted mailbox %s", ss.id, ss.account, name)
	return nil
}

// Rename renames a mailbox and those below it (RFC 9051 §6.3.6). Their
// UIDs and UIDVALIDITY go with them. Renaming INBOX, which moves its
// messages to a new mailbox, is not done here.
func (ss *session) Rename(from, to string, _ *imap.RenameOptions) error {
	if err := ss.fault("imap.rename", from); err != nil {
		return err
	}
	if strings.EqualFold(from, inbox) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "Renaming INBOX is not supported here: MOVE its messages instead"}
	}
	src, err := ss.openFolder(from, false)
	if err != nil {
		return err
	}
	dst, err := ss.folderDir(strings.TrimSuffix(to, string(delim)))
	if err != nil {
		return err
	}
	if strings.EqualFold(to, inbox) || exists(dst) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "Mailbox " + to + " exists already"}
	}
	if ss.view != nil && ss.view.dir == src {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeInUse, Text: "Mailbox " + from + " is selected: UNSELECT it first"}
	}
	names, err := ss.folderNames()
	if err != nil {
		return err
	}
	for _, n := range names {
		if n != from && !strings.HasPrefix(n, from+string(delim)) {
			continue
		}
		oldDir := filepath.Join(ss.maildir, "."+n)
		newDir := filepath.Join(ss.maildir, "."+strings.TrimSuffix(to, string(delim))+n[len(from):])
		if err := os.Rename(oldDir, newDir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		ss.srv.folders.Delete(oldDir)
	}
	_ = dst
	ss.srv.lb.Logf("imap#%d %s renamed mailbox %s to %s", ss.id, ss.account, from, to)
	return nil
}

// Subscribe and Unsubscribe are accepted and change nothing: every
// mailbox is listed as subscribed.
func (ss *session) Subscribe(string) error   { return nil }
func (ss *session) Unsubscribe(string) error { return nil }

// Namespace answers NAMESPACE (RFC 2342): one personal namespace with no
// prefix and "." as delimiter, as Dovecot's Maildir++ layout has.
func (ss *session) Namespace() (*imap.NamespaceData, error) {
	if err := ss.fault("imap.namespace", ""); err != nil {
		return nil, err
	}
	return &imap.NamespaceData{Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: delim}}}, nil
}
