//go:build linux

package main

import "golang.org/x/sys/unix"

// lineModes reports whether the terminal echoes and edits lines itself
// (ECHO and ICANON).
func (tt *tty) lineModes() (echo, canon bool, err error) {
	st, err := unix.IoctlGetTermios(int(tt.pty.Fd()), unix.TCGETS)
	if err != nil {
		return false, false, err
	}
	return st.Lflag&unix.ECHO != 0, st.Lflag&unix.ICANON != 0, nil
}
