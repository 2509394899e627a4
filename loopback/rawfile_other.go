//go:build !unix

package loopback

import (
	"errors"
	"io"
	"os"
)

func openRaw(name string) (io.ReadCloser, error) { return os.Open(name) }

func openRawAt(dirfd int, name, path string) (io.ReadCloser, error) { return os.Open(path) }

func openDir(path string) (int, error) { return -1, errors.ErrUnsupported }

func closeDir(fd int) {}
