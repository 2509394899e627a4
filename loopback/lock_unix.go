//go:build unix

package loopback

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// lockMaildrop takes the exclusive lock that a POP3 session holds on a
// maildrop (RFC 1939 §8: the server locks the maildrop when a session
// enters TRANSACTION). It is an flock(2) on a file in the Maildir, so that
// it excludes a second session of this server and of any other mailsh
// serving the same directory. It returns ErrInUse if the lock is held.
func lockMaildrop(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &StoreError{Op: "lock", Path: dir, Err: err}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, &StoreError{Op: "lock", Path: dir, Err: err}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
