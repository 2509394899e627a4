package loopback

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
)

// MessageFiles opens the messages of one account's maildrop for a
// session, by name from its cur/ and new/ directories, which it holds
// open (openat(2)): the kernel then looks up one name for each message,
// not every directory of its path, which shows when a client fetches
// thousands of small messages. Close releases the directories.
type MessageFiles struct {
	store   *Store
	account string
	dirs    map[string]int // directory path to its descriptor; -1 if it cannot be held
}

// MessageFiles returns an opener for account's messages.
func (s *Store) MessageFiles(account string) *MessageFiles {
	return &MessageFiles{store: s, account: account, dirs: map[string]int{}}
}

// Open opens a message's file, as OpenMessage does.
func (mf *MessageFiles) Open(m *Message) (io.ReadCloser, error) {
	dir, name := filepath.Split(m.Path)
	fd, ok := mf.dirs[dir]
	if !ok {
		var err error
		if fd, err = openDir(dir); err != nil {
			fd = -1
		}
		mf.dirs[dir] = fd
	}
	if fd >= 0 {
		f, err := openRawAt(fd, name, m.Path)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
		// The directory held may be one another program replaced:
		// the next message opens it afresh.
		closeDir(fd)
		delete(mf.dirs, dir)
	}
	// Moved by another program, or its directory replaced: look for it.
	return mf.store.OpenMessage(mf.account, m)
}

// Close releases the directories held.
func (mf *MessageFiles) Close() {
	for dir, fd := range mf.dirs {
		if fd >= 0 {
			closeDir(fd)
		}
		delete(mf.dirs, dir)
	}
}
