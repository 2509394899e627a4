//go:build !unix

package pop3

import "sync"

// lockMaildrop takes the exclusive lock that a POP3 session holds on a
// maildrop (RFC 1939 §8). Without flock(2) it excludes only the sessions
// of this process.
func lockMaildrop(dir string) (unlock func(), err error) {
	heldMu.Lock()
	defer heldMu.Unlock()
	if held[dir] {
		return nil, ErrInUse
	}
	held[dir] = true
	return func() {
		heldMu.Lock()
		delete(held, dir)
		heldMu.Unlock()
	}, nil
}

var (
	heldMu sync.Mutex
	held   = map[string]bool{}
)
