//go:build linux

package loopback

import (
	"bytes"
	"encoding/binary"
	"os"
	"sync"
	"syscall"
)

// ReadNames calls each with the name of every regular file of dir whose
// name does not start with "." (a Maildir's messages), by getdents(2)
// into a large buffer, which holds a folder of several thousand messages
// at once, with no stat and no string made per entry. The name is valid
// only during the call. A missing directory reads as empty, with its
// error.
func ReadNames(dir string, each func(name []byte)) error {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	bp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bp)
	buf := *bp
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64: inode (8 octets), offset (8), record
		// length (2), type (1), then the name, NUL-terminated.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				break
			}
			typ, name := b[18], b[19:reclen]
			b = b[reclen:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if len(name) == 0 || name[0] == '.' {
				continue
			}
			switch typ {
			case syscall.DT_REG:
			case syscall.DT_UNKNOWN: // a file system that does not say
				fi, err := os.Lstat(dir + string(os.PathSeparator) + string(name))
				if err != nil || !fi.Mode().IsRegular() {
					continue
				}
			default:
				continue
			}
			each(name)
		}
	}
}

// direntBufs are ReadNames's buffers.
var direntBufs = sync.Pool{New: func() any {
	b := make([]byte, 1<<20)
	return &b
}}
