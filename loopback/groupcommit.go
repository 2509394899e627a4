package loopback

import (
	"os"
	"path/filepath"
	"sync"
)

// committer gives finished messages their names in new/ and makes those
// names durable, for many deliveries at once (group commit). Each
// delivery fsyncs its own file first, in its own session, so that the
// kernel can write many at once; then one of the waiting sessions, the
// leader, links or renames every file waiting into new/, fsyncs each new/
// directory once for the whole batch, and only then releases the sessions
// to say 250. While it waits for the disk, the next batch gathers, and its
// first session leads it.
//
// The leader is a session, not a goroutine of the committer's own: a lone
// session (one client sending one message after another) commits its
// message itself, with no other goroutine to wake and wait for.
type committer struct {
	mu      sync.Mutex
	queue   []*commitReq
	running bool // a leader is committing a batch
}

// commitReq is one delivery waiting for its names in new/.
type commitReq struct {
	boxes []*boxCopy
	err   error
	// wake is signalled once: when the request is committed, or when its
	// session is to lead the next batch (lead).
	wake chan struct{}
	lead bool
}

// publish names the delivery's copies in new/, durably, and returns when
// that is done. The copies' bytes must be on disk already.
func (s *Store) publish(boxes []*boxCopy) error {
	r := &commitReq{boxes: boxes, wake: make(chan struct{}, 1)}
	c := &s.commits
	c.mu.Lock()
	c.queue = append(c.queue, r)
	if c.running {
		c.mu.Unlock()
		<-r.wake
		if !r.lead {
			return r.err
		}
		c.mu.Lock()
	}
	// This session leads: the queue holds its own request and every one
	// that came while the last batch was on its way to the disk.
	c.running = true
	batch := c.queue
	c.queue = nil
	c.mu.Unlock()

	s.commitBatch(batch)

	c.mu.Lock()
	if len(c.queue) > 0 {
		next := c.queue[0]
		next.lead = true
		next.wake <- struct{}{}
	} else {
		c.running = false
	}
	c.mu.Unlock()
	for _, o := range batch {
		if o != r {
			if s.released != nil {
				s.released()
			}
			o.wake <- struct{}{}
		}
	}
	return r.err
}

// commitBatch links or renames every copy of the batch into new/, then
// fsyncs each new/ directory once. Its caller releases the deliveries.
func (s *Store) commitBatch(batch []*commitReq) {
	var dirs []string
	for _, r := range batch {
		var named []*boxCopy
		for _, b := range r.boxes {
			final := filepath.Join(s.Maildir(b.account), "new", sizedName(b.unique, b.size, b.vsize))
			if err := b.name(final); err != nil {
				// Take back what was named: the client will be told to
				// retry, and must not find a copy delivered twice.
				for _, n := range named {
					os.Remove(n.final)
					n.final = ""
				}
				r.err = &StoreError{Op: "rename", Path: b.tmpPath, Err: err}
				break
			}
			b.final = final
			named = append(named, b)
			s.forget(b.account)
		}
		if r.err != nil {
			continue
		}
		for _, b := range r.boxes {
			if d := filepath.Dir(b.final); !contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
	}
	sync := s.dirSync
	if sync == nil {
		sync = syncDir
	}
	for _, d := range dirs {
		if err := sync(d); err != nil {
			// The names are there; only their durability is in doubt.
			// Refusing now would make the clients send again.
			s.logf("fsync %s: %v", d, err)
		}
	}
}

// name gives a copy whose bytes are on disk its name in new/: a link for a
// file without a name, a rename from tmp/ for the others.
func (b *boxCopy) name(final string) error {
	if b.unnamed != nil {
		return linkUnnamed(b.unnamed, final)
	}
	return os.Rename(b.tmpPath, final)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
