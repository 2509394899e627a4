//go:build linux

package main

import (
	"syscall"
	"testing"
)

// The terminal gets its echo back when mailsh ends: after QUIT, Ctrl-D
// or SIGTERM.
func TestKeysTerminalEchoRestored(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:pw")
	for _, end := range []string{"QUIT", "Ctrl-D", "SIGTERM"} {
		t.Run(end, func(t *testing.T) {
			t.Parallel()
			tt := startTTY(t, isolatedHome(t), "pop3://"+s.pop3)
			tt.waitPrompt("auth>")
			tt.command("CAPA", "IMPLEMENTATION", "auth>") // a line read: echo is off between lines
			switch end {
			case "QUIT":
				tt.send("QUIT\r")
			case "Ctrl-D":
				tt.send("\x04")
			case "SIGTERM":
				tt.cmd.Process.Signal(syscall.SIGTERM)
			}
			tt.wait()
			echo, canon, err := tt.lineModes()
			if err != nil {
				t.Skipf("cannot read the terminal's modes: %v", err)
			}
			if !echo || !canon {
				t.Errorf("after %s the terminal has echo %v, line mode %v", end, echo, canon)
			}
		})
	}
}
