//go:build linux && (amd64 || arm64 || 386 || riscv64 || loong64)

package loopback

import (
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// oTmpFile is Linux's O_TMPFILE (__O_TMPFILE | O_DIRECTORY) on the
// architectures that share the generic value of __O_TMPFILE.
const oTmpFile = 0x400000 | syscall.O_DIRECTORY

// openUnnamed creates a file with no name in dir (open(2) O_TMPFILE): an
// inode that nothing in the Maildir can see and that the kernel frees if
// the process dies before linkUnnamed gives it a name.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := syscall.Open(dir, syscall.O_RDWR|syscall.O_CLOEXEC|oTmpFile, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "open O_TMPFILE", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir+"/(unnamed)"), nil
}

// linkUnnamed gives a file made by openUnnamed its name (linkat(2) with
// AT_SYMLINK_FOLLOW through /proc/self/fd, which needs no privilege). The
// name must not exist: a unique name that does is a bug, never replaced.
func linkUnnamed(f *os.File, name string) error {
	const atSymlinkFollow = 0x400
	from, err := syscall.BytePtrFromString("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil {
		return err
	}
	to, err := syscall.BytePtrFromString(name)
	if err != nil {
		return err
	}
	fd := atFDCWD
	_, _, e := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(fd), uintptr(unsafe.Pointer(from)), uintptr(fd), uintptr(unsafe.Pointer(to)), atSymlinkFollow, 0)
	if e != 0 {
		return &os.LinkError{Op: "link", Old: f.Name(), New: name, Err: e}
	}
	return nil
}
