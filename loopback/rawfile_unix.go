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
type rawFile struct{ fd int }

func openRaw(name string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return &rawFile{fd: fd}, nil
	}
}

func (f *rawFile) Read(p []byte) (int, error) {
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
		return n, nil
	}
}

func (f *rawFile) Close() error { return syscall.Close(f.fd) }
