package loopback

import (
	"errors"
	"syscall"
)

// isNoSpace reports whether err is a full disk or an exceeded quota.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
