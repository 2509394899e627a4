//go:build !unix

package loopback

import (
	"io"
	"os"
)

func openRaw(name string) (io.ReadCloser, error) { return os.Open(name) }
