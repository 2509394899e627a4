package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mailshBin is the binary built once for the end-to-end tests.
var mailshBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mailsh-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mailshBin = filepath.Join(dir, "mailsh")
	// The binary runs under the race detector when the tests do.
	build := []string{"build", "-o", mailshBin, "."}
	if raceEnabled {
		build = []string{"build", "-race", "-o", mailshBin, "."}
	}
	out, err := exec.Command("go", build...).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building mailsh: %v\n%s", err, out)
		os.Exit(1)
	}
	// Nothing a test runs may touch the data, state or history of the
	// person running the tests: every mailsh started from here, and the
	// in-process code, sees private XDG directories.
	for _, v := range []string{"XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"} {
		d := filepath.Join(dir, strings.ToLower(v))
		if err := os.MkdirAll(d, 0o700); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv(v, d)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// mailsh runs the binary with stdin as its (non-terminal) input.
func mailsh(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, mailshBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	// The tests decide what secrets mailsh sees.
	var base []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAILSH_PASSWORD=") && !strings.HasPrefix(kv, "NO_COLOR=") {
			base = append(base, kv)
		}
	}
	cmd.Env = append(base, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("mailsh %v hung:\n%s\n%s", args, out.String(), errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func (r result) must(t *testing.T, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range contains {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
}
