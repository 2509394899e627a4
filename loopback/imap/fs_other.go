//go:build !linux

package imap

import (
	"io/fs"
	"os"

	"github.com/mailsh/mailsh/loopback"
)

// readNames reads the message files of a directory into nl (see
// loopback.ReadNames). A missing directory reads as empty, with its error.
func readNames(dir string, nl *nameList) error {
	nl.reset()
	return loopback.ReadNames(dir, nl.addName)
}

// fineSettle is 0: how finely the file system stamps times is not known
// here, and every folder keeps the coarse rule.
const fineSettle = 0

func fineTimes(string) bool { return false }

// inode is 0: the key's times, sizes and the UID list's contents tell
// changes apart without it.
func inode(fs.FileInfo) uint64 { return 0 }

// mover moves messages from one directory of a Maildir to another by
// name.
type mover struct{ fromDir, toDir string }

func newMover(fromDir, toDir string) (*mover, error) { return &mover{fromDir, toDir}, nil }

func (m *mover) move(name, to string) error {
	return renameFile(m.fromDir+string(os.PathSeparator)+name, m.toDir+string(os.PathSeparator)+to)
}

func (m *mover) close() {}
