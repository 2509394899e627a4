package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The demo password is made at the first start, kept private in the data
// directory, given again at the next start and by mailsh serve, and a
// password written into the file is the one used.
func TestDemoPasswordKept(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"XDG_DATA_HOME=" + data, "HOME=" + t.TempDir()}
	file := filepath.Join(data, "mailsh", "demo-password")
	passwordRE := regexp.MustCompile(`account demo, password (\S+), address demo@localhost`)

	r := mailsh(t, "QUIT\n", env)
	r.must(t, 0, "account demo, password ")
	first := passwordRE.FindStringSubmatch(r.stderr)
	if first == nil {
		t.Fatalf("no demo password given:\n%s", r.stderr)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(file); strings.TrimSpace(string(b)) != first[1] {
		t.Errorf("the file holds %q, the session gave %q", b, first[1])
	}

	r = mailsh(t, "QUIT\n", env)
	if again := passwordRE.FindStringSubmatch(r.stderr); again == nil || again[1] != first[1] {
		t.Errorf("the second start gave %v, want %q again", again, first[1])
	}
	s := startServe(t, env)
	if s.password != first[1] {
		t.Errorf("mailsh serve gave the demo password %q, want %q", s.password, first[1])
	}

	// Chosen by editing the file: logging in with it works.
	os.WriteFile(file, []byte("my-own-choice\n"), 0o600)
	r = mailsh(t, ":connect pop3\n:auth\nQUIT\n", append(env, "MAILSH_PASSWORD=my-own-choice"))
	r.must(t, 0, "account demo, password my-own-choice,", "S: +OK Logged in as demo")
}
