package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

var (
	plainBinOnce sync.Once
	plainBin     string
)

// BenchmarkStartup measures the time from exec to the first prompt in a
// terminal, connected to a local server: what a user waits for. It uses a
// binary built without the race detector.
func BenchmarkStartup(b *testing.B) {
	plainBinOnce.Do(func() {
		if !raceEnabled {
			plainBin = mailshBin
			return
		}
		// Next to mailshBin, so that it lasts as long as the test
		// binary: -count runs this function again.
		plainBin = filepath.Join(filepath.Dir(mailshBin), "mailsh-norace")
		if out, err := exec.Command("go", "build", "-o", plainBin, ".").CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
	})
	if plainBin == "" {
		b.Fatal("no binary: its build failed in an earlier run")
	}
	srv := startFakeSMTP(b)
	state := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(plainBin, "smtp://"+srv.Addr)
		cmd.Env = append(cleanEnv(), "TERM=xterm", "XDG_STATE_HOME="+state)
		p, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
		if err != nil {
			b.Fatal(err)
		}
		vt := vt10x.New(vt10x.WithWriter(p), vt10x.WithSize(100, 30))
		buf := make([]byte, 4096)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(vt.String(), "helo>") {
			if time.Now().After(deadline) {
				b.Fatal("no prompt within 10s")
			}
			n, err := p.Read(buf)
			if err != nil {
				b.Fatal(err)
			}
			vt.Write(buf[:n])
		}
		cmd.Process.Kill()
		cmd.Wait()
		p.Close()
	}
}
