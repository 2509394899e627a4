//go:build unix

package loopback

import (
	"io"
	"os"
	"syscall"
)

// rawFile is a message file opened for reading with plain system calls.
// An *os.File costs more to open (a stat to see whether the poller can
// take it, a finalizer), which shows when a client fetches thousands of
// small messages one after another.
//
// A read that fills less than it was given has reached the end of the
// file (a message file in a Maildir is never written again), so the next
// read says so without asking the kernel.
type rawFile struct {
	fd  int
	eof bool
}

func openRaw(name string) (io.ReadCloser, error) {
	return openRawAt(atFDCWD, name, name)
}

// atFDCWD makes openat(2) resolve a name from the working directory.
const atFDCWD = -0x64

// openRawAt opens name relative to the directory dirfd (openat(2)), or
// the path itself with atFDCWD; path names it in errors.
func openRawAt(dirfd int, name, path string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return &rawFile{fd: fd}, nil
	}
}

// openDir opens a directory for openRawAt.
func openDir(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func closeDir(fd int) { syscall.Close(fd) }

func (f *rawFile) Read(p []byte) (int, error) {
	if f.eof && len(p) > 0 {
		return 0, io.EOF
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		f.eof = n < len(p)
		return n, nil
	}
}

func (f *rawFile) Close() error { return syscall.Close(f.fd) }
