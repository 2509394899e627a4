package loopback

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Message is one message of a maildrop as a session that numbers them
// sees it: numbered from 1, in the order of delivery, when the session
// logs in, and holding their numbers for the whole session (as RFC 1939 §5
// has it).
type Message struct {
	Path    string // where the file was at login, or was found since
	UID     string // a unique id that lasts across sessions (RFC 1939 §7's form)
	Size    int64  // octets with CRLF line endings (RFC 1939 §11)
	Deleted bool   // marked for removal by the session

	// The order of delivery: the time in the name, then the name.
	sec, usec int64
	name      string
}

// ScanMaildrop lists an account's messages in new/ and cur/, oldest first.
// Sizes come from the ",W=" field of the name where there is one, so that
// listing reads no message; only a file delivered by another program
// without it is read once, to count its lines. The listing is kept and
// given again while neither directory changes (listingCache), so a second
// login to an unchanged maildrop reads no directory.
func (s *Store) ScanMaildrop(account string) ([]*Message, error) {
	dir := s.Maildir(account)
	key, _, err := statListing(dir)
	if err != nil {
		return nil, err
	}
	if l := s.keptListing(account, key); l != nil {
		return l.copy(), nil
	}
	var msgs []Message
	for _, sub := range []string{"new", "cur"} {
		d := filepath.Join(dir, sub)
		err := ReadNames(d, func(nb []byte) {
			name := string(nb)
			p := d + string(filepath.Separator) + name
			size, ok := nameVSize(name)
			if !ok {
				var err error
				if size, err = fileVSize(p); err != nil {
					return // gone, or unreadable: not part of this maildrop
				}
			}
			sec, usec := NameTime(name)
			msgs = append(msgs, Message{Path: p, UID: uidFor(name), Size: size, sec: sec, usec: usec, name: name})
		})
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, &StoreError{Op: "read", Path: d, Err: err}
		}
	}
	slices.SortFunc(msgs, func(a, b Message) int {
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.usec, b.usec); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	l := &listing{key: key, msgs: msgs}
	if key.settled(time.Now()) {
		s.listings.Store(account, l)
	} else {
		s.listings.Delete(account)
	}
	return l.copy(), nil
}

// DefaultLargeListing is Store.LargeListing's default: 128 KiB of
// directory, about 1,500 messages on ext4, which take a few milliseconds
// to list.
const DefaultLargeListing = 128 << 10

// LargeMaildrop tells whether listing an account's maildrop will take a
// while: no listing of it is kept, and its new/ and cur/ directories take
// more than Store.LargeListing octets between them. A directory's size
// grows with the names it holds, so this reads no name. A server can then
// answer a login first and list the maildrop while the client sends its
// next command.
func (s *Store) LargeMaildrop(account string) bool {
	dir := s.Maildir(account)
	key, size, err := statListing(dir)
	if err != nil {
		return false // ScanMaildrop will say what is wrong
	}
	if s.keptListing(account, key) != nil {
		return false
	}
	limit := s.LargeListing
	if limit <= 0 {
		limit = DefaultLargeListing
	}
	return size > limit
}

// listing is a maildrop's messages as last read, with the state of new/
// and cur/ they were read from.
type listing struct {
	key  listingKey
	msgs []Message
}

// listingKey tells whether new/ and cur/ changed: a file added, removed
// or renamed changes the modification time of its directory.
type listingKey struct {
	newMod, curMod time.Time
	newIno, curIno uint64
}

// settleTime is how old both directories' modification times must be for
// a listing to be kept: a time stamp is only as fine as the kernel's
// clock tick, so a change made in the same tick as the reading would
// leave the time unchanged; after this long, any change shows.
const settleTime = 2 * time.Second

func (k listingKey) settled(now time.Time) bool {
	return now.Sub(k.newMod) > settleTime && now.Sub(k.curMod) > settleTime
}

// statListing reads the state of a Maildir's new/ and cur/, and the size
// of both directories together.
func statListing(dir string) (k listingKey, size int64, err error) {
	for i, sub := range []string{"new", "cur"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return k, 0, &StoreError{Op: "read", Path: filepath.Join(dir, sub), Err: err}
		}
		mod, ino := fi.ModTime(), inode(fi)
		size += fi.Size()
		if i == 0 {
			k.newMod, k.newIno = mod, ino
		} else {
			k.curMod, k.curIno = mod, ino
		}
	}
	return k, size, nil
}

// keptListing is the account's kept listing, if new/ and cur/ are still
// as it was read from.
func (s *Store) keptListing(account string, key listingKey) *listing {
	if l, ok := s.listings.Load(account); ok && l.(*listing).key == key {
		return l.(*listing)
	}
	return nil
}

// forget drops an account's kept listing: this process changed it.
func (s *Store) forget(account string) { s.listings.Delete(account) }

// copy gives a session its own messages, which it marks deleted and whose
// paths it updates.
func (l *listing) copy() []*Message {
	own := slices.Clone(l.msgs)
	ptrs := make([]*Message, len(own))
	for i := range own {
		ptrs[i] = &own[i]
	}
	return ptrs
}

// uniquePart is a Maildir file name without Maildir++ fields (",S=…") and
// flags (":2,…"): the part that stays when a program moves the file from
// new/ to cur/ or changes its flags.
func uniquePart(name string) string {
	if i := strings.IndexAny(name, ",:"); i >= 0 {
		return name[:i]
	}
	return name
}

// uidFor is the unique id of a file in RFC 1939 §7's form: its unique part, which
// stays the same across sessions, or, if that does not fit the RFC's 1 to
// 70 characters in the range 0x21 to 0x7E, a digest of it.
func uidFor(name string) string {
	u := uniquePart(name)
	ok := len(u) >= 1 && len(u) <= 70
	for i := 0; ok && i < len(u); i++ {
		ok = u[i] >= 0x21 && u[i] <= 0x7e
	}
	if ok {
		return u
	}
	sum := sha256.Sum256([]byte(u))
	return hex.EncodeToString(sum[:16])
}

// nameVSize reads Maildir++'s ",W=" field from a file name.
func nameVSize(name string) (int64, bool) {
	base, _, _ := strings.Cut(name, ":")
	// The fields after the first comma, without splitting the name into
	// new strings: a login reads thousands of names.
	for rest := base; ; {
		i := strings.IndexByte(rest, ',')
		if i < 0 {
			return 0, false
		}
		rest = rest[i+1:]
		if v, ok := strings.CutPrefix(rest, "W="); ok {
			if j := strings.IndexByte(v, ','); j >= 0 {
				v = v[:j]
			}
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil && n >= 0
		}
	}
}

// fileVSize counts the octets a client is sent for a file (its size with
// CRLF line endings), streaming it.
func fileVSize(p string) (int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var c popSize
	buf := make([]byte, 64<<10)
	for {
		k, err := f.Read(buf)
		c.add(buf[:k])
		if err == io.EOF {
			return c.total(), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// popSize counts the size of a message as a client is told it and sent it
// (RFC 1939 §11's count): the octets the client holds once
// it has removed the dot-stuffing and the final "." line, which is what
// proto.DotWriter sends for the file's bytes. An LF not after a CR goes out
// as CRLF; a CR not before an LF goes out as it is; a file that does not
// end in LF gets a line ending (just LF after a final CR). The stuffed
// "." of a line beginning with "." is not counted: the client removes it.
type popSize struct {
	n    int64
	last byte // the last byte counted
	any  bool // a byte was counted
}

func (c *popSize) add(p []byte) {
	if len(p) == 0 {
		return
	}
	c.n += int64(len(p))
	prev := c.last
	for off := 0; ; {
		i := bytes.IndexByte(p[off:], '\n')
		if i < 0 {
			break
		}
		j := off + i
		if j > 0 {
			prev = p[j-1]
		}
		if prev != '\r' {
			c.n++ // a bare LF goes out as CRLF
		}
		off = j + 1
	}
	c.last, c.any = p[len(p)-1], true
}

// total is the size, with the line ending a file without a final LF gets.
func (c *popSize) total() int64 {
	switch {
	case !c.any || c.last == '\n':
		return c.n
	case c.last == '\r':
		return c.n + 1
	}
	return c.n + 2
}

// lessName orders Maildir names by delivery time.
func lessName(a, b string) bool { return CompareMaildirNames(a, b) < 0 }

// CompareMaildirNames orders Maildir names by delivery time: the seconds
// before the first ".", then the microseconds of an "M" field, then the
// name. Message numbers and new UIDs follow this order.
func CompareMaildirNames(a, b string) int {
	sa, ua := NameTime(a)
	sb, ub := NameTime(b)
	switch {
	case sa != sb:
		return cmp.Compare(sa, sb)
	case ua != ub:
		return cmp.Compare(ua, ub)
	}
	return strings.Compare(a, b)
}

// NameTime reads the time of delivery in a Maildir name, as
// CompareMaildirNames orders by it: the seconds before the first ".",
// then the microseconds of an "M" field just after it.
func NameTime(name string) (sec, usec int64) {
	head, rest, _ := strings.Cut(name, ".")
	sec, _ = strconv.ParseInt(head, 10, 64)
	if m, ok := strings.CutPrefix(rest, "M"); ok {
		end := 0
		for end < len(m) && m[end] >= '0' && m[end] <= '9' {
			end++
		}
		usec, _ = strconv.ParseInt(m[:end], 10, 64)
	}
	return sec, usec
}

// OpenMessage opens a message's file. If another program (mutt, Dovecot)
// moved it from new/ to cur/ or changed its flags since the session
// logged in, it is found again by its unique part.
func (s *Store) OpenMessage(account string, m *Message) (io.ReadCloser, error) {
	f, err := openRaw(m.Path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	if p, ok := s.findUnique(account, filepath.Base(m.Path)); ok {
		m.Path = p
		return openRaw(p)
	}
	return nil, err
}

// findUnique looks for a file with the same unique part as name.
func (s *Store) findUnique(account, name string) (string, bool) {
	want := uniquePart(name)
	for _, sub := range []string{"cur", "new"} {
		dir := filepath.Join(s.Maildir(account), sub)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if uniquePart(e.Name()) == want {
				return filepath.Join(dir, e.Name()), true
			}
		}
	}
	return "", false
}

// RemoveMessages deletes messages from the maildrop (as RFC 1939 §6's
// UPDATE state does) and makes the removal durable. A message another program
// removed already counts as removed. It returns how many could not be
// removed and whether that was because the Maildir cannot be written (a
// read-only Maildir can still be read; its messages stay).
func (s *Store) RemoveMessages(account string, msgs []*Message) (failed int, readOnly bool) {
	if len(msgs) > 0 {
		defer s.forget(account)
	}
	dirs := map[string]bool{}
	for _, m := range msgs {
		err := os.Remove(m.Path)
		if errors.Is(err, fs.ErrNotExist) {
			if p, ok := s.findUnique(account, filepath.Base(m.Path)); ok {
				m.Path = p
				err = os.Remove(p)
			} else {
				err = nil
			}
		}
		if err != nil {
			s.logf("removing %s: %v", m.Path, err)
			failed++
			readOnly = readOnly || isReadOnly(err)
			continue
		}
		dirs[filepath.Dir(m.Path)] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			s.logf("fsync %s: %v", d, err)
		}
	}
	return failed, readOnly
}
