package loopback

import (
	"os"
	"time"
)

// What the tests of package loopback_test reach inside for.

// SetSleepHook makes the delays of fault rules and failed logins call
// hook instead of waiting, so that tests can see them without waiting.
func SetSleepHook(c *Config, hook func(time.Duration)) { c.sleepHook = hook }

// SetClock makes the login guard date failures by now instead of
// time.Now.
func SetClock(c *Config, now func() time.Time) { c.clock = now }

// FailWrites makes the files deliveries into s create fail their writes
// after left octets with err, as a full disk does.
func FailWrites(s *Store, left int, err error) {
	s.create = func(name string) (file, error) {
		f, cerr := createFile(name)
		if cerr != nil {
			return nil, cerr
		}
		return &failingFile{File: f.(*os.File), left: left, err: err}, nil
	}
}

// failingFile fails its writes after a number of bytes, as a full disk
// does.
type failingFile struct {
	*os.File
	left int
	err  error
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, f.err
	}
	f.left -= len(p)
	return f.File.Write(p)
}

// PopSize counts pieces as the size a client is sent for them.
func PopSize(pieces ...[]byte) int64 {
	var c popSize
	for _, p := range pieces {
		c.add(p)
	}
	return c.total()
}

// SetDirSync makes the group commit of s fsync new/ directories with
// sync instead of fsync(2).
func SetDirSync(s *Store, sync func(dir string) error) { s.dirSync = sync }

// SetReleased makes the group commit of s call f as it releases each
// delivery it committed for another session.
func SetReleased(s *Store, f func()) { s.released = f }

// CommitsWaiting is how many deliveries wait for the batch after the one
// being committed.
func CommitsWaiting(s *Store) int {
	s.commits.mu.Lock()
	defer s.commits.mu.Unlock()
	return len(s.commits.queue)
}
