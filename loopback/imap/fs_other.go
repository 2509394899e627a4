//go:build !linux

package imap

import (
	"io/fs"
	"os"
	"strings"
)

// readNames reads the message files of a directory into nl: its regular
// files whose names do not start with ".". A missing directory reads as
// empty, with its error.
func readNames(dir string, nl *nameList) error {
	nl.reset()
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	des, err := f.ReadDir(-1)
	for _, de := range des {
		if name := de.Name(); de.Type().IsRegular() && !strings.HasPrefix(name, ".") {
			nl.addName([]byte(name))
		}
	}
	return err
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
