//go:build unix

package pop3

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mailsh/mailsh/loopback"
)

// lockMaildrop takes the exclusive lock that a POP3 session holds on a
// maildrop (RFC 1939 §8: the server locks the maildrop when a session
// enters TRANSACTION). It is an flock(2) on a file in the Maildir, so that
// it excludes a second session of this server and of any other mailsh
// serving the same directory. It returns ErrInUse if the lock is held.
//
// flock(2) needs no write access, so a Maildir that cannot be written
// (mounted read-only, or not ours) can still be read: the lock file is
// opened read-only if it exists, and else the Maildir directory itself is
// locked, which every session that cannot create the file does alike.
func lockMaildrop(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		f, err = os.Open(name)
	}
	if err != nil {
		f, err = os.Open(dir)
	}
	if err != nil {
		return nil, &loopback.StoreError{Op: "lock", Path: dir, Err: err}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, &loopback.StoreError{Op: "lock", Path: dir, Err: err}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
