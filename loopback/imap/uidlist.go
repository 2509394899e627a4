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
	bits   uint8  // the flags name holds (flagBits), set by place
}

// place gives the entry its file, sub/name, and the flags its name holds.
func (e *entry) place(sub, name string) {
	e.sub, e.name = sub, name
	e.bits = flagBits(e.flags())
}

// flagList returns the flags the entry's name holds, without reading the
// name again: a FETCH of FLAGS in a folder of 10,000 messages touches no
// name. The list is shared (flagLists): its users only read it.
func (e *entry) flagList() []imap.Flag { return flagLists[e.bits] }

// flags returns the Maildir info flags of the entry's name ("" in new/).
func (e *entry) flags() string {
	// strings.Cut(e.name, ":2,") by the colons, which costs less than a
	// search for the three octets: a listing asks for it for each name.
	for s := e.name; ; {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return ""
		}
		if strings.HasPrefix(s[i+1:], "2,") {
			return s[i+3:]
		}
		s = s[i+1:]
	}
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
	case st.list != nil && fi.ModTime().Equal(st.modTime) && fi.Size() == st.size && inode(fi) == st.ino:
		return nil
	}
	l, err := readUIDList(p)
	if err != nil {
		return err
	}
	st.list, st.modTime, st.size, st.ino = l, fi.ModTime(), fi.Size(), inode(fi)
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
		st.modTime, st.size, st.ino = fi.ModTime(), fi.Size(), inode(fi)
	}
	return nil
}
