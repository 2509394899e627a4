//go:build !(linux && (amd64 || arm64 || 386 || riscv64 || loong64))

package loopback

import (
	"errors"
	"os"
)

var errNoUnnamed = errors.New("files without a name are not supported here")

// openUnnamed is not available: deliveries write named files in tmp/.
func openUnnamed(dir string) (*os.File, error) { return nil, errNoUnnamed }

func linkUnnamed(f *os.File, name string) error { return errNoUnnamed }
