//go:build !unix

package loopback

import "io/fs"

// inode is a file's inode number, or 0 if the system does not say.
func inode(fs.FileInfo) uint64 { return 0 }
