//go:build unix

package loopback

import (
	"io/fs"
	"syscall"
)

// inode is a file's inode number, or 0 if the system does not say.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
