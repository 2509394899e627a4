package loopback

import (
	"errors"
	"io/fs"
	"syscall"
)

// isNoSpace reports whether err is a full disk or an exceeded quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// isReadOnly reports whether err is a refusal to write: permissions, or a
// file system mounted read-only.
func isReadOnly(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}
