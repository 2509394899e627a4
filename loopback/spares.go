package loopback

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// spareFiles is how many files without a name each account keeps ready.
const spareFiles = 16

// sparePool holds files made ahead of time in one account's tmp/, with no
// name (Linux's O_TMPFILE), so that making a file is not on a client's
// path between DATA and the 354: on some file systems allocating an inode
// costs a millisecond of system time, more than the rest of a small
// delivery. A file without a name leaves nothing behind when the process
// dies, and nothing for the 36-hour sweep of tmp/; it gets its name in
// new/ only once its bytes are on disk (publish).
type sparePool struct {
	files   chan *os.File
	filling atomic.Bool
	off     bool // unnamed files cannot be made or linked in this Maildir
}

// takeSpare returns a file without a name for a delivery to account, or
// nil if there is none (named files in tmp/ are then used, as on systems
// without O_TMPFILE). It starts making more in the background when the
// pool runs low.
func (s *Store) takeSpare(account string) *os.File {
	if s.create != nil {
		return nil // a test's stand-in files
	}
	p := s.sparePool(account)
	if p.off {
		return nil
	}
	var f *os.File
	select {
	case f = <-p.files:
	default:
	}
	if len(p.files) < spareFiles/2 && p.filling.CompareAndSwap(false, true) {
		go s.fillSpares(account, p)
	}
	if f == nil {
		f, _ = openUnnamed(filepath.Join(s.Maildir(account), "tmp"))
	}
	return f
}

// sparePool returns account's pool, making it the first time: it checks
// once that a file without a name can be made and then linked into the
// Maildir (O_TMPFILE needs file system support, the link needs /proc).
func (s *Store) sparePool(account string) *sparePool {
	if p, ok := s.spares.Load(account); ok {
		return p.(*sparePool)
	}
	p := &sparePool{files: make(chan *os.File, spareFiles)}
	tmp := filepath.Join(s.Maildir(account), "tmp")
	f, err := openUnnamed(tmp)
	if err == nil {
		probe := filepath.Join(tmp, s.uniqueName(time.Now())+".probe")
		// Once linked and removed, the file cannot be linked again:
		// it is not kept.
		if err = linkUnnamed(f, probe); err == nil {
			os.Remove(probe)
		}
		f.Close()
	}
	p.off = err != nil
	got, _ := s.spares.LoadOrStore(account, p)
	return got.(*sparePool)
}

// fillSpares tops the pool up.
func (s *Store) fillSpares(account string, p *sparePool) {
	defer p.filling.Store(false)
	tmp := filepath.Join(s.Maildir(account), "tmp")
	for len(p.files) < cap(p.files) {
		f, err := openUnnamed(tmp)
		if err != nil {
			return
		}
		select {
		case p.files <- f:
		default:
			f.Close()
			return
		}
	}
}

// spareCount reports how many spare files an account holds (for tests).
func (s *Store) spareCount(account string) int {
	if p, ok := s.spares.Load(account); ok {
		return len(p.(*sparePool).files)
	}
	return 0
}
