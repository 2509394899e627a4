package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smtpAt opens an SMTP session to addr, reads the greeting and says EHLO.
func smtpAt(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(60 * time.Second))
	br := bufio.NewReader(c)
	expectReply(t, br, "220 ")
	c.Write([]byte("EHLO me\r\n"))
	expectReply(t, br, "250 ")
	return c, br
}

// expectReply reads lines until one starts with prefix, and fails on a
// line of another reply's end or on the end of the connection.
func expectReply(t *testing.T, br *bufio.Reader, prefix string) string {
	t.Helper()
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("waiting for %q: %v (last %q)", prefix, err, l)
		}
		if strings.HasPrefix(l, prefix) {
			return l
		}
		if len(l) >= 4 && l[3] == ' ' {
			t.Fatalf("got %q, want a line starting %q", l, prefix)
		}
	}
}

// startTransfer opens an SMTP session to s for alice@localhost, and
// sends DATA and the first part of a message's text, the rest to come.
func startTransfer(t *testing.T, s *served, first string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, br := smtpAt(t, s.smtp)
	c.Write([]byte("MAIL FROM:<a@example.org>\r\nRCPT TO:<alice@localhost>\r\nDATA\r\n"))
	expectReply(t, br, "250 ")
	expectReply(t, br, "250 ")
	expectReply(t, br, "354 ")
	c.Write([]byte(first))
	return c, br
}

// waitStderr waits until the server's log holds want.
func (s *served) waitStderr(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the server's log never said %q:\n%s", want, s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exitCode waits for the server to exit and gives its status.
func (s *served) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case err := <-s.exited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		t.Fatalf("mailsh serve still running:\n%s", s.stderr.String())
	}
	return -1
}

// On Ctrl-C (SIGINT) the server answers a session waiting for a command
// with 421, lets a message in transfer finish with its 250, and exits 0;
// the message is in the mailbox.
func TestServeCtrlCFinishesTransfers(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	maildir := filepath.Join(data, "mail")
	s := startServe(t, []string{"XDG_DATA_HOME=" + data}, "--user", "alice:pw", "--maildir", maildir)
	_, idleR := smtpAt(t, s.smtp)
	busy, busyR := startTransfer(t, s, "Subject: half\r\n\r\nthe first half\r\n")

	s.cmd.Process.Signal(os.Interrupt)
	s.waitStderr(t, "mailsh serve: stopping: finishing messages in transfer (Ctrl-C again stops at once)")
	if l := expectReply(t, idleR, "421 "); !strings.Contains(l, "shutting down") {
		t.Errorf("the idle session got %q", l)
	}
	busy.Write([]byte("the second half\r\n.\r\n"))
	expectReply(t, busyR, "250 ")
	if code := s.exitCode(t); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(s.stderr.String(), "mailsh serve: stopped\n") {
		t.Errorf("the log does not say it stopped cleanly:\n%s", s.stderr.String())
	}
	files, _ := filepath.Glob(filepath.Join(maildir, "alice", "new", "*"))
	if len(files) != 1 {
		t.Fatalf("new/ holds %d messages, want 1", len(files))
	}
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), "the first half\nthe second half\n") {
		t.Errorf("the message is not whole:\n%s", b)
	}
}

// A second Ctrl-C stops at once: a message still in transfer is cut off,
// was never acknowledged, and leaves nothing in the mailbox.
func TestServeSecondCtrlC(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	maildir := filepath.Join(data, "mail")
	s := startServe(t, []string{"XDG_DATA_HOME=" + data}, "--user", "alice:pw", "--maildir", maildir)
	_, busyR := startTransfer(t, s, "Subject: cut\r\n\r\nnever finished\r\n")

	start := time.Now()
	s.cmd.Process.Signal(os.Interrupt)
	s.waitStderr(t, "Ctrl-C again stops at once")
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.exitCode(t); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("it took %s to stop after the second Ctrl-C", d)
	}
	s.waitStderr(t, "mailsh serve: stopped; sessions still running were cut off")
	for _, sub := range []string{"new", "cur"} {
		if files, _ := filepath.Glob(filepath.Join(maildir, "alice", sub, "*")); len(files) != 0 {
			t.Errorf("%s/ holds %v after the cut", sub, files)
		}
	}
	if l, err := busyR.ReadString('\n'); err == nil && strings.HasPrefix(l, "250") {
		t.Errorf("the cut message was acknowledged: %q", l)
	}
}

// After --stop-grace a transfer still running is cut off without a second
// Ctrl-C: the server exits 0, and the message, never acknowledged, is not
// delivered.
func TestServeStopGrace(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	maildir := filepath.Join(data, "mail")
	s := startServe(t, []string{"XDG_DATA_HOME=" + data}, "--user", "alice:pw", "--maildir", maildir, "--stop-grace", "500ms")
	startTransfer(t, s, "Subject: stalled\r\n\r\nthe client stops here\r\n")

	start := time.Now()
	s.cmd.Process.Signal(os.Interrupt)
	if code := s.exitCode(t); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if d := time.Since(start); d < 400*time.Millisecond || d > 20*time.Second {
		t.Errorf("stopped %v after the signal, want about --stop-grace's 500ms", d)
	}
	s.waitStderr(t, "mailsh serve: stopped; sessions still running were cut off")
	if files, _ := filepath.Glob(filepath.Join(maildir, "alice", "new", "*")); len(files) != 0 {
		t.Errorf("new/ holds %v after the cut", files)
	}
}
