package main

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// --users-file gives accounts whose passwords stay out of the process
// list; a file others may read is refused, as ssh refuses an open key.
func TestServeUsersFile(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	write := func(name, text string, perm os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	good := write("users", "# the lecture's accounts\n\nalice:wonder land:1\n  bob:builder  \n", 0o600)
	refusals := []struct {
		name, text string
		perm       os.FileMode
		msg        string
	}{
		{"readable", "alice:x\n", 0o644, "permissions 0644 are too open"},
		{"group", "alice:x\n", 0o640, "permissions 0640 are too open"},
		{"writable", "alice:x\n", 0o602, "permissions 0602 are too open"},
		{"bad line", "# ok\nalice\n", 0o600, "line 2: give an account as NAME:PASSWORD"},
		{"empty", "# nothing\n", 0o600, "no account in it"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.name, tt.text, tt.perm)
			o := &serveOptions{}
			if err := serveFlags(o).Parse([]string{"--users-file", p, "--maildir", t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			_, _, err := o.config()
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %v; want %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), "alice:x") {
				t.Errorf("the error shows a line of the file: %v", err)
			}
		})
	}
	// mailsh serve says so and exits with status 1, starting nothing.
	r := mailsh(t, "", nil, "serve", "--users-file", write("open", "alice:x\n", 0o644), "--smtp", "127.0.0.1:0", "--pop3", "off")
	r.must(t, 1, "mailsh serve: --users-file "+filepath.Join(dir, "open")+": permissions 0644 are too open: other users may read or change the passwords; chmod 600 ")
	t.Run("login", func(t *testing.T) {
		s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--users-file", good)
		if !strings.Contains(s.stdout, "accounts: alice, bob") {
			t.Errorf("start-up output:\n%s", s.stdout)
		}
		for _, arg := range s.cmd.Args {
			if strings.Contains(arg, "wonder") {
				t.Errorf("a password is in the command line: %q", s.cmd.Args)
			}
		}
		for _, up := range [][2]string{{"alice", "wonder land:1"}, {"bob", "builder"}} {
			nc, err := net.DialTimeout("tcp", s.pop3, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(nc)
			br.ReadString('\n')
			nc.Write([]byte("USER " + up[0] + "\r\nPASS " + up[1] + "\r\n"))
			br.ReadString('\n')
			if l, _ := br.ReadString('\n'); !strings.HasPrefix(l, "+OK Logged in as "+up[0]) {
				t.Errorf("%s: %q", up[0], l)
			}
		}
	})
}

// --help warns that --user shows its password to local users.
func TestServeHelpUserWarning(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	runServe([]string{"--help"}, &out, &errb)
	if !strings.Contains(out.String(), "every local user can read it in the process list") {
		t.Error("--help does not warn that --user shows the password")
	}
}
