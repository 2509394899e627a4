package imap

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/mailsh/mailsh/loopback"
)

// uidListName is the file in each folder that keeps its UIDVALIDITY, its
// next UID and the UID of each message, by the unique part of its file
// name (RFC 9051 §2.3.1.1: UIDs ascend and are never reused within one
// UIDVALIDITY). Dovecot keeps dovecot-uidlist the same way. Maildir
// readers ignore files beside cur/, new/ and tmp/.
const uidListName = "mailsh-uidlist"

// uidListHeader starts the file: a version, then V (UIDVALIDITY) and N
// (the next UID), as dovecot-uidlist's first line.
const uidListHeader = "mailsh-uidlist 1"

// folderState is what this process knows of one folder, guarded by its
// mutex: the UID list as last read or written, and the file's state then,
// so that a list another process wrote is read again; and the folder's
// last listing, kept while its directories and UID list are unchanged.
type folderState struct {
	mu      sync.Mutex
	list    *uidList
	modTime time.Time
	size    int64

	// kept is the last listing, made when keptKey was the state of the
	// folder and stayed so while it was read; nil if there is none to
	// trust. keptNew: some of its messages are in new/.
	kept    []entry
	keptKey dirKey
	keptNew bool
}

// uidList is a folder's UIDs.
type uidList struct {
	validity uint32
	next     imap.UID
	uids     map[string]imap.UID // by unique part of the file name
}

// entry is one message of a folder as listed.
type entry struct {
	uid    imap.UID
	unique string
	sub    string // "new" or "cur"
	name   string // the file name in sub
	size   int64  // octets with CRLF line endings (RFC822.SIZE)
}

// flags returns the Maildir info flags of the entry's name ("" in new/).
func (e *entry) flags() string {
	_, info, ok := strings.Cut(e.name, ":2,")
	if !ok {
		return ""
	}
	return info
}

// path is the entry's file in the folder dir (a clean path, as
// folderDir's): joined without filepath.Join's cleaning, which shows in
// a listing of 10,000 messages.
func (e *entry) path(dir string) string {
	return dir + string(filepath.Separator) + e.sub + string(filepath.Separator) + e.name
}

// state returns a folder's state, made on first use.
func (s *Server) state(dir string) *folderState {
	st, _ := s.folders.LoadOrStore(dir, &folderState{})
	return st.(*folderState)
}

// scan lists a folder's messages in UID order, giving new messages UIDs
// (in delivery order) and writing the UID list when it changed. With
// claim, messages in new/ are moved to cur/ first, as Dovecot does when a
// session sees them: a client that selected the folder has been told of
// them. It returns the list's UIDVALIDITY and next UID.
//
// A listing is kept and given again (a copy) while new/, cur/ and the UID
// list keep the modification times they had, settled, when it was read,
// as POP3 keeps its listing: a message added, removed or renamed (new
// flags) changes its directory's time, so SELECT of an unchanged folder
// of 10,000 messages reads no directory.
func (s *Server) scan(dir string, claim bool) ([]entry, uint32, imap.UID, error) {
	st := s.state(dir)
	st.mu.Lock()
	defer st.mu.Unlock()
	key := dirState(dir)
	if err := st.load(dir); err != nil {
		return nil, 0, 0, err
	}
	l := st.list
	if st.kept != nil && st.keptKey == key && !(claim && st.keptNew) {
		return slices.Clone(st.kept), l.validity, l.next, nil
	}
	st.kept = nil
	moved, inNew := false, false
	var msgs []entry
	// cur/ first: messages moved there from new/ are not listed twice.
	for _, sub := range []string{"cur", "new"} {
		d := filepath.Join(dir, sub)
		des, err := readDir(d)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, 0, 0, err
		}
		for _, de := range des {
			name := de.Name()
			if !de.Type().IsRegular() || strings.HasPrefix(name, ".") {
				continue
			}
			e := entry{unique: loopback.UniquePart(name), sub: sub, name: name}
			if claim && sub == "new" {
				base, _, _ := strings.Cut(name, ":")
				to := base + ":2,"
				if err := os.Rename(filepath.Join(d, name), filepath.Join(dir, "cur", to)); err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						continue // taken by another reader (POP3 DELE, mutt)
					}
					// A Maildir that cannot be written is read where it is.
				} else {
					e.sub, e.name = "cur", to
					moved = true
				}
			}
			inNew = inNew || e.sub == "new"
			size, err := loopback.MessageSize(e.path(dir))
			if err != nil {
				continue // gone meanwhile
			}
			e.size = size
			msgs = append(msgs, e)
		}
	}
	changed := false
	present := make(map[string]bool, len(msgs))
	var fresh []*entry
	for i := range msgs {
		m := &msgs[i]
		present[m.unique] = true
		if uid, ok := l.uids[m.unique]; ok {
			m.uid = uid
		} else {
			fresh = append(fresh, m)
		}
	}
	// New messages get UIDs in the order they were delivered.
	slices.SortFunc(fresh, func(a, b *entry) int { return loopback.CompareMaildirNames(a.name, b.name) })
	for _, m := range fresh {
		m.uid = l.next
		l.uids[m.unique] = l.next
		l.next++
		changed = true
	}
	for u := range l.uids {
		if !present[u] {
			delete(l.uids, u)
			changed = true
		}
	}
	if changed {
		if err := st.save(dir); err != nil {
			// A read-only Maildir can still be read: its UIDs hold for
			// this process only.
			s.lb.Logf("imap: cannot keep the UIDs of %s: %v", dir, err)
		}
	}
	slices.SortFunc(msgs, func(a, b entry) int { return int(a.uid) - int(b.uid) })
	// Kept only if this scan changed nothing and nothing changed while it
	// read: the state before it is then the state of what it read.
	if !moved && !changed && key.settled(time.Now()) && dirState(dir) == key {
		st.kept, st.keptKey, st.keptNew = slices.Clone(msgs), key, inNew
	}
	return msgs, l.validity, l.next, nil
}

// readDir lists a directory in the order the file system gives: unlike
// os.ReadDir it does not sort the names, which scan has no use for (it
// sorts by UID).
func readDir(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// load reads the folder's UID list unless the one in memory is current,
// and starts a new one (a new UIDVALIDITY) if there is none.
func (st *folderState) load(dir string) error {
	p := filepath.Join(dir, uidListName)
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if st.list == nil {
			st.list = &uidList{validity: newValidity(), next: 1, uids: map[string]imap.UID{}}
		}
		return nil
	case err != nil:
		return err
	case st.list != nil && fi.ModTime().Equal(st.modTime) && fi.Size() == st.size:
		return nil
	}
	l, err := readUIDList(p)
	if err != nil {
		return err
	}
	st.list, st.modTime, st.size = l, fi.ModTime(), fi.Size()
	return nil
}

// newValidity is a new UIDVALIDITY: the time in seconds, as Dovecot
// chooses it, so that a list made again after being lost never repeats
// an earlier one (RFC 9051 §2.3.1.1).
func newValidity() uint32 { return uint32(time.Now().Unix()) }

func readUIDList(p string) (*uidList, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	l := &uidList{uids: map[string]imap.UID{}}
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty", p)
	}
	head, ok := strings.CutPrefix(sc.Text(), uidListHeader+" ")
	if !ok {
		return nil, fmt.Errorf("%s: not a %s file", p, uidListName)
	}
	for _, f := range strings.Fields(head) {
		n, err := strconv.ParseUint(f[1:], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: bad field %q", p, f)
		}
		switch f[0] {
		case 'V':
			l.validity = uint32(n)
		case 'N':
			l.next = imap.UID(n)
		}
	}
	if l.validity == 0 || l.next == 0 {
		return nil, fmt.Errorf("%s: no UIDVALIDITY or next UID", p)
	}
	for sc.Scan() {
		uid, unique, ok := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseUint(uid, 10, 32)
		if !ok || err != nil || n == 0 {
			continue
		}
		l.uids[unique] = imap.UID(n)
		if imap.UID(n) >= l.next {
			l.next = imap.UID(n) + 1
		}
	}
	return l, sc.Err()
}

// save writes the UID list under a temporary name, fsyncs it, renames it
// over the old one and fsyncs the folder, so that a crash leaves the old
// list or the new one, never half of one: UIDs given to a client are
// never given again to another message.
func (st *folderState) save(dir string) error {
	l := st.list
	type pair struct {
		uid    imap.UID
		unique string
	}
	pairs := make([]pair, 0, len(l.uids))
	for u, uid := range l.uids {
		pairs = append(pairs, pair{uid, u})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return int(a.uid) - int(b.uid) })
	var b strings.Builder
	fmt.Fprintf(&b, "%s V%d N%d\n", uidListHeader, l.validity, l.next)
	for _, p := range pairs {
		fmt.Fprintf(&b, "%d %s\n", p.uid, p.unique)
	}
	p := filepath.Join(dir, uidListName)
	if err := loopback.WriteFileAtomic(p, []byte(b.String()), 0o600); err != nil {
		return err
	}
	if err := loopback.SyncDir(dir); err != nil {
		return err
	}
	if fi, err := os.Stat(p); err == nil {
		st.modTime, st.size = fi.ModTime(), fi.Size()
	}
	return nil
}
