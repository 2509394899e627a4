package loopback

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Store is a directory of Maildirs, one per account: ROOT/NAME/{cur,new,tmp}.
// That is the layout Dovecot reads with mail_location = maildir:ROOT/%u, and
// each NAME directory is an ordinary Maildir that mutt opens as it is.
//
// Messages are written the way qmail's Maildir specification asks: into
// tmp/ under a unique name, fsynced, then renamed into new/, after which the
// new/ directory itself is fsynced so that the rename survives a crash. A
// reader never sees a partial message in new/. Files hold LF line endings,
// as Maildir readers expect; the name carries Maildir++'s ",S=" (file
// size) and ",W=" (size with CRLF line endings, as a client is sent it), so
// that sizes need no reading.
type Store struct {
	// Root holds the Maildirs.
	Root string

	host    string
	pid     int
	seq     atomic.Uint64
	cleaned sync.Map // accounts whose tmp/ was swept
	spares  sync.Map // account name to its *sparePool
	// listings keeps each account's last listing (*listing) for
	// logins while its new/ and cur/ do not change.
	listings sync.Map
	commits  committer
	// watchers are told of changes to an account's mail (Watch).
	watchers watchers
	// Logf, if set, is told of problems that do not fail a delivery.
	Logf func(format string, args ...any)
	// LargeListing is how many octets an account's new/ and cur/
	// directories may take between them before LargeMaildrop calls its
	// maildrop large; zero means DefaultLargeListing.
	LargeListing int64

	// create, if set, opens a new file in tmp/ for writing instead of a
	// spare file without a name; tests set it to make writes fail as on
	// a full disk.
	create func(name string) (file, error)
	// dirSync, if set, fsyncs a new/ directory for the group commit
	// instead of syncDir; tests set it to watch the batches.
	dirSync func(dir string) error
	// released, if set, is called as the group commit releases each
	// delivery it committed for another session.
	released func()
}

func (s *Store) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// tmpMaxAge is how old a file in tmp/ must be before it is removed as
// left over from a crash: the Maildir specification's 36 hours.
const tmpMaxAge = 36 * time.Hour

// OpenStore opens (creating where needed) the Maildirs of the given
// accounts under root, and removes files left in their tmp/ directories by
// deliveries that crashed more than 36 hours ago.
func OpenStore(root string, accounts []string) (*Store, error) {
	host, _ := os.Hostname()
	s := &Store{Root: root, host: maildirHost(host), pid: os.Getpid()}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, &StoreError{Op: "create mail directory", Path: root, Err: err}
	}
	for _, a := range accounts {
		if err := s.ensure(a); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Maildir returns the directory of an account's Maildir.
func (s *Store) Maildir(account string) string { return filepath.Join(s.Root, account) }

// ensure creates an account's Maildir if it is missing and, the first
// time, removes what crashed deliveries left in its tmp/.
func (s *Store) ensure(account string) error {
	if !validAccountName(account) {
		return &StoreError{Op: "create Maildir", Path: account, Err: errors.New("an account name is letters, digits, '.', '-' or '_'")}
	}
	dir := s.Maildir(account)
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return &StoreError{Op: "create Maildir", Path: dir, Err: err}
		}
	}
	if _, done := s.cleaned.LoadOrStore(account, true); done {
		return nil
	}
	tmp := filepath.Join(dir, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return &StoreError{Op: "read", Path: tmp, Err: err}
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > tmpMaxAge {
			os.Remove(filepath.Join(tmp, e.Name()))
		}
	}
	return nil
}

// validAccountName keeps account names to characters that are safe as a
// directory name and as a local part.
func validAccountName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '.' {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// uniqueName makes a Maildir file name that no other delivery uses: the
// time, then M (microseconds), P (process id), Q (a per-process counter)
// and R (random bits), then the host name, as the Maildir specification
// and Dovecot do.
func (s *Store) uniqueName(now time.Time) string {
	var r [4]byte
	rand.Read(r[:])
	return fmt.Sprintf("%d.M%06dP%dQ%dR%s.%s", now.Unix(), now.Nanosecond()/1000, s.pid, s.seq.Add(1), hex.EncodeToString(r[:]), s.host)
}

// maildirHost writes a host name as the Maildir specification asks: "/"
// as \057 and ":" as \072, and "," (Maildir++'s separator) as \054.
func maildirHost(h string) string {
	if h == "" {
		h = "localhost"
	}
	if len(h) > 32 {
		h = h[:32]
	}
	r := strings.NewReplacer("/", `\057`, ":", `\072`, ",", `\054`)
	return r.Replace(h)
}

// sizedName adds Maildir++'s size fields to a unique name.
func sizedName(unique string, size, vsize int64) string {
	return unique + ",S=" + strconv.FormatInt(size, 10) + ",W=" + strconv.FormatInt(vsize, 10)
}

// syncDir makes a directory's entries (a rename into it) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// file is what a delivery writes to: an *os.File, or a test's stand-in.
type file interface {
	Write(p []byte) (int, error)
	ReadAt(p []byte, off int64) (int, error)
	Sync() error
	Close() error
}

func createFile(name string) (file, error) {
	// O_EXCL: a unique name that exists already is a bug, never overwrite.
	// O_RDWR: the copies for further mailboxes are read back from it.
	return os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
}

// StoreError is a failure to read or write the Maildirs.
type StoreError struct {
	Op   string
	Path string
	Err  error
}

func (e *StoreError) Error() string { return e.Op + " " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *StoreError) Unwrap() error { return e.Err }

// NoSpace reports whether the error is a full disk or quota, which a
// protocol tells a client as such (RFC 3463 4.3.1), not as a local error.
func (e *StoreError) NoSpace() bool { return isNoSpace(e.Err) }
