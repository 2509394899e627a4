package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// tty runs the real mailsh binary in a pseudo-terminal whose screen is a
// terminal emulator (which also answers the line editor's cursor-position
// queries). Tests type into it and poll the rendered screen.
type tty struct {
	t      *testing.T
	pty    *os.File
	vt     vt10x.Terminal
	cmd    *exec.Cmd
	mu     sync.Mutex
	raw    bytes.Buffer // every byte mailsh wrote
	done   chan struct{}
	exited chan struct{} // closed when mailsh has exited
	err    error         // its exit, valid once exited is closed
}

const ttyCols, ttyRows = 110, 60

func startTTY(t *testing.T, env []string, args ...string) *tty {
	t.Helper()
	cmd := exec.Command(mailshBin, args...)
	cmd.Env = append(cleanEnv(), append([]string{"TERM=xterm-256color", "XDG_STATE_HOME=" + t.TempDir()}, env...)...)
	p, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: ttyCols, Rows: ttyRows})
	if err != nil {
		t.Fatal(err)
	}
	tt := &tty{t: t, pty: p, cmd: cmd, done: make(chan struct{}), exited: make(chan struct{})}
	tt.vt = vt10x.New(vt10x.WithWriter(p), vt10x.WithSize(ttyCols, ttyRows))
	go tt.pump()
	go func() {
		tt.err = cmd.Wait()
		close(tt.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-tt.exited
		p.Close()
		<-tt.done
		if strings.Contains(tt.rawString(), "DATA RACE") {
			t.Errorf("the race detector reported a race:\n%s", tt.rawString())
		}
	})
	return tt
}

// pump copies the terminal's output into the emulator, keeping a partial
// UTF-8 sequence for the next read.
func (tt *tty) pump() {
	defer close(tt.done)
	buf := make([]byte, 32<<10)
	var pending []byte
	for {
		n, err := tt.pty.Read(buf)
		if n > 0 {
			tt.mu.Lock()
			tt.raw.Write(buf[:n])
			tt.mu.Unlock()
			pending = append(pending, buf[:n]...)
			w, _ := tt.vt.Write(pending)
			pending = append(pending[:0], pending[w:]...)
		}
		if err != nil {
			return
		}
	}
}

func (tt *tty) rawString() string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return tt.raw.String()
}

// screen returns the rendered screen without trailing blanks.
func (tt *tty) screen() string {
	lines := strings.Split(tt.vt.String(), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// send types keys.
func (tt *tty) send(keys string) {
	tt.t.Helper()
	if _, err := tt.pty.Write([]byte(keys)); err != nil {
		tt.t.Fatal(err)
	}
}

// waitFor polls the screen until it holds want, for up to 15 seconds.
func (tt *tty) waitFor(want string) {
	tt.t.Helper()
	tt.waitUntil(want, func(s string) bool { return strings.Contains(s, want) })
}

func (tt *tty) waitUntil(what string, ok func(screen string) bool) {
	tt.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ok(tt.screen()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tt.t.Fatalf("screen never showed %s:\n%s", what, tt.screen())
}

// command types a line and waits for its reply to show (one more
// occurrence of reply on the screen than before) and for a fresh prompt
// ending in prompt: keys sent earlier would reach the terminal before the
// line editor is reading them, and the terminal would take Ctrl-D or
// Ctrl-C itself.
func (tt *tty) command(line, reply, prompt string) {
	tt.t.Helper()
	before := strings.Count(tt.screen(), reply)
	tt.send(line + "\r")
	tt.waitUntil(fmt.Sprintf("%q then a prompt ending in %q", reply, prompt), func(s string) bool {
		return strings.Count(s, reply) > before && strings.HasSuffix(tt.lastLine(), prompt)
	})
}

// waitPrompt waits until the last line of the screen is a prompt ending
// in want, with nothing typed after it: the editor is reading keys.
func (tt *tty) waitPrompt(want string) {
	tt.t.Helper()
	tt.waitUntil("a prompt ending in "+want, func(string) bool { return strings.HasSuffix(tt.lastLine(), want) })
}

// lastLine returns the last non-empty line of the screen.
func (tt *tty) lastLine() string {
	lines := strings.Split(strings.TrimRight(tt.screen(), "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimRight(lines[i], " "); s != "" {
			return s
		}
	}
	return ""
}

// wait waits for mailsh to exit and returns its exit status.
func (tt *tty) wait() int {
	tt.t.Helper()
	select {
	case <-tt.exited:
		// What it wrote last may still be on its way through the
		// terminal: read it all (the pump ends when the terminal closes).
		select {
		case <-tt.done:
		case <-time.After(5 * time.Second):
		}
		err := tt.err
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() < 0 {
				tt.t.Logf("mailsh ended by %v; it wrote:\n%q", ee, tt.rawString())
			}
			return ee.ExitCode()
		}
		return 0
	case <-time.After(15 * time.Second):
		tt.cmd.Process.Signal(syscall.SIGQUIT) // a goroutine dump, for the log
		time.Sleep(time.Second)
		raw := tt.rawString()
		tt.t.Fatalf("mailsh did not exit:\n%s\nlast output: %q", tt.screen(), raw[max(0, len(raw)-20000):])
	}
	return -1
}

func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MAILSH_") || strings.HasPrefix(kv, "NO_COLOR=") || strings.HasPrefix(kv, "TERM=") || strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
