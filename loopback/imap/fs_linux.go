//go:build linux

package imap

import (
	"io/fs"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/mailsh/mailsh/loopback"
)

// readNames reads the message files of a directory into nl (see
// loopback.ReadNames). A missing directory reads as empty, with its error.
func readNames(dir string, nl *nameList) error {
	nl.reset()
	return loopback.ReadNames(dir, nl.addName)
}

// fineSettle is how old a folder's times must be, on a file system that
// stamps them finer than seconds (fineTimes), before an unchanged state
// is trusted. The kernel stamps a change with its clock as of the last
// tick (CLOCK_REALTIME_COARSE; a finer time if the file's time was read
// since its last change), so a change is stamped later than any time
// older than a tick, in the file system's own precision: two ticks and
// a millisecond leave a margin. 0 if the tick cannot be read.
var fineSettle = func() time.Duration {
	const clockRealtimeCoarse = 5
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETRES, clockRealtimeCoarse, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	tick := time.Duration(ts.Nano())
	if tick <= 0 || tick > 100*time.Millisecond {
		return 0
	}
	return 2*tick + time.Millisecond
}()

// fineTimes reports whether dir is on a local file system that stamps
// times in nanoseconds from the kernel's clock: ext4 (with inodes large
// enough, else its times have no fraction of a second and settle sees
// it), XFS, Btrfs, tmpfs, F2FS, ZFS, bcachefs, and overlayfs (over one
// of them). A network file system's times come from another machine's
// clock; a file system not known here keeps the coarse rule.
func fineTimes(dir string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return false
	}
	switch uint32(st.Type) {
	case 0xEF53, // ext2, ext3, ext4
		0x58465342, // XFS
		0x9123683E, // Btrfs
		0x01021994, // tmpfs
		0xF2F52010, // F2FS
		0x2FC12FC1, // ZFS
		0xCA451A4E, // bcachefs
		0x794C7630: // overlayfs
		return true
	}
	return false
}

// inode is a file's inode number.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

// mover moves messages from one directory of a Maildir to another by
// name, with both directories open (renameat(2)): the kernel then walks
// no path, where renaming by whole paths walked both of them for each of
// thousands of messages (most of the time of a first SELECT).
type mover struct {
	fromDir, toDir string
	from, to       int
}

func newMover(fromDir, toDir string) (*mover, error) {
	m := &mover{fromDir: fromDir, toDir: toDir, from: -1, to: -1}
	var err error
	if m.from, err = openDir(fromDir); err != nil {
		return nil, err
	}
	if m.to, err = openDir(toDir); err != nil {
		syscall.Close(m.from)
		return nil, err
	}
	return m, nil
}

func openDir(dir string) (int, error) {
	for {
		fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: dir, Err: err}
		}
		return fd, nil
	}
}

// move renames fromDir/name to toDir/to.
func (m *mover) move(name, to string) error {
	for {
		err := syscall.Renameat(m.from, name, m.to, to)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return &os.LinkError{Op: "rename", Old: m.fromDir + "/" + name, New: m.toDir + "/" + to, Err: err}
		}
		return nil
	}
}

func (m *mover) close() {
	syscall.Close(m.from)
	syscall.Close(m.to)
}
