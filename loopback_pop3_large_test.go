package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

// A large maildrop is listed after the login's reply, and real clients
// still count and read every message: curl sees the reply without a count
// and lists all, fetchmail and mpop count all from STAT.
func TestLoopbackPOP3LargeMaildrop(t *testing.T) {
	t.Parallel()
	curl := peertest.Need(t, "curl")
	fetchmail := peertest.Need(t, "fetchmail")
	mpop := peertest.Need(t, "mpop")
	dir := t.TempDir()
	maildir := filepath.Join(dir, "mail")
	newDir := filepath.Join(maildir, "big", "new")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(maildir, "big", sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// 7,000 names take more than 128 KiB of directory on ext4 (about 80
	// octets a name), XFS, btrfs and tmpfs (20 a name). The directories'
	// times are new, so that no session keeps the listing: each login is
	// answered before the listing.
	const n = 7000
	var octets int
	for i := 1; i <= n; i++ {
		text := fmt.Sprintf("Subject: message %d\n\nbody %d\n", i, i)
		vsize := len(text) + strings.Count(text, "\n")
		octets += vsize
		name := fmt.Sprintf("1700000000.M%dP1.host,S=%d,W=%d", i, len(text), vsize)
		if err := os.WriteFile(filepath.Join(newDir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(newDir); err != nil || fi.Size() <= 128<<10 {
		t.Fatalf("new/ takes %v octets (%v): not a large maildrop here", fi.Size(), err)
	}
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", maildir, "--user", "big:big-pw")
	host, port, _ := net.SplitHostPort(s.pop3)
	env := append(os.Environ(), "HOME="+dir, "FETCHMAILHOME="+dir)
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(name), err, out)
		}
		return string(out)
	}

	out := run(curl, "-sv", "pop3://big:big-pw@"+s.pop3+"/")
	if !strings.Contains(out, "< +OK Logged in as big: a large mailbox, STAT counts it") {
		t.Errorf("curl: the login's reply is not the large maildrop's:\n%.2000s", out)
	}
	if !strings.Contains(out, fmt.Sprintf("\n%d %d", n, len(fmt.Sprintf("Subject: message %d\r\n\r\nbody %d\r\n", n, n)))) {
		t.Errorf("curl: LIST lacks message %d:\n...%s", n, out[max(0, len(out)-500):])
	}
	out = run(curl, "-s", "pop3://big:big-pw@"+s.pop3+fmt.Sprintf("/%d", n))
	if want := fmt.Sprintf("Subject: message %d\r\n\r\nbody %d\r\n", n, n); out != want {
		t.Errorf("curl RETR %d: %q, want %q", n, out, want)
	}

	rc := filepath.Join(dir, "fetchmailrc")
	conf := fmt.Sprintf("set no syslog\npoll %s protocol pop3 port %s auth password\n  user \"big\" there with password \"big-pw\"\n  sslproto ''\n", host, port)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out = run(fetchmail, "-c", "-f", rc, "--pidfile", filepath.Join(dir, "fetchmail.pid"))
	if want := fmt.Sprintf("%d messages for big at %s (%d octets)", n, host, octets); !strings.Contains(out, want) {
		t.Errorf("fetchmail -c said %q, want %q", out, want)
	}

	out = run(mpop, "--file=/dev/null", "--host="+host, "--port="+port, "--tls=off", "--auth=user", "--user=big",
		"--passwordeval=echo big-pw", "--status-only", "--delivery=mbox,"+filepath.Join(dir, "mbox"), "--uidls-file="+filepath.Join(dir, "mpop-uidls"))
	if m := regexp.MustCompile(`total: (\d+) messages`).FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(n) {
		t.Errorf("mpop --status-only said %q, want a total of %d messages", out, n)
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("mailsh serve exit status %d", code)
	}
}
