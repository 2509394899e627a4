//go:build linux

package shell

import (
	"sync"

	"golang.org/x/sys/unix"
)

// typeAhead keeps keys typed while mailsh is not reading a line (a
// command runs, its reply is awaited) off the screen. The line editor
// puts the terminal in raw mode only while it reads; between lines the
// kernel would echo what is typed, in clear, a password included. So
// between lines the terminal is put back in its own modes but with echo
// off: the keys wait, unseen, and the editor reads them at the next
// prompt, where a password among them is masked as typed. restore gives
// the terminal back as it was.
type typeAhead struct {
	fd   int
	mu   sync.Mutex
	orig *unix.Termios // the modes before the first raw mode
}

// newTypeAhead returns nil if fd is not a terminal.
func newTypeAhead(fd int) *typeAhead {
	if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err != nil {
		return nil
	}
	return &typeAhead{fd: fd}
}

// raw notes the terminal's modes the first time, then makes it raw as
// the line editor's own raw mode does: as cfmakeraw(3), but with output
// processing left on, since the editor writes "\n" for a new line.
func (t *typeAhead) raw() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur, err := unix.IoctlGetTermios(t.fd, unix.TCGETS)
	if err != nil {
		return err
	}
	if t.orig == nil {
		o := *cur
		t.orig = &o
	}
	r := *cur
	r.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	r.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	r.Cflag &^= unix.CSIZE | unix.PARENB
	r.Cflag |= unix.CS8
	r.Cc[unix.VMIN] = 1
	r.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(t.fd, unix.TCSETS, &r)
}

// quiet gives the terminal its modes back, but with echo off.
func (t *typeAhead) quiet() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.orig == nil {
		return nil
	}
	q := *t.orig
	q.Lflag &^= unix.ECHO | unix.ECHONL
	return unix.IoctlSetTermios(t.fd, unix.TCSETS, &q)
}

// restore gives the terminal back as it was.
func (t *typeAhead) restore() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.orig == nil {
		return nil
	}
	return unix.IoctlSetTermios(t.fd, unix.TCSETS, t.orig)
}
