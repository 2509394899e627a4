//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package main

import "errors"

// lineModes cannot read a terminal's modes here.
func (tt *tty) lineModes() (echo, canon bool, err error) {
	return false, false, errors.ErrUnsupported
}
