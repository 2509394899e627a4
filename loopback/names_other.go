//go:build !linux

package loopback

import (
	"os"
	"strings"
)

// ReadNames calls each with the name of every regular file of dir whose
// name does not start with "." (a Maildir's messages). The name is valid
// only during the call. A missing directory reads as empty, with its
// error.
func ReadNames(dir string, each func(name []byte)) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	for _, de := range des {
		if name := de.Name(); de.Type().IsRegular() && !strings.HasPrefix(name, ".") {
			each([]byte(name))
		}
	}
	return err
}
