package main

import (
	"net"
	"os"
	"slices"
	"strings"
	"testing"
)

// otherName gives a name of 127.0.0.1 that mailsh cannot tell is this
// machine (neither "localhost" nor an address): this machine's own name,
// where it resolves to 127.0.0.1. Connections still go to 127.0.0.1.
func otherName(t *testing.T) string {
	t.Helper()
	h, err := os.Hostname()
	if err == nil && !strings.EqualFold(h, "localhost") && !strings.HasSuffix(strings.ToLower(h), ".localhost") {
		if addrs, err := net.LookupHost(h); err == nil && slices.Contains(addrs, "127.0.0.1") {
			return h
		}
	}
	t.Skipf("this machine's name (%q) does not resolve to 127.0.0.1: no name to stand for another host", h)
	return ""
}

// Before a password goes unencrypted to a host that is not this machine,
// mailsh warns with the lecture's words and asks; "n" keeps it back, "y"
// sends it. In script mode it refuses without --allow-plaintext.
func TestCleartextToAnotherHost(t *testing.T) {
	t.Parallel()
	const pw = "s3cret-pw"
	host := otherName(t)
	// Two accounts: the subtests run at once, and a POP3 maildrop takes
	// one session at a time.
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:"+pw, "--user", "bob:"+pw)
	_, port, _ := net.SplitHostPort(s.pop3)
	target := "pop3://" + net.JoinHostPort(host, port)

	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		tt := startTTY(t, isolatedHome(t), target)
		tt.waitPrompt("pop3 " + host + " auth>")
		tt.command("USER alice", "+OK Send PASS for alice", "pop3 "+host+" pass>")
		tt.send("PASS " + pw + "\r")
		tt.waitFor("Password em clear text!! PASS would send your credentials unencrypted to " + host + " (no TLS)")
		tt.waitFor("send anyway? [y/N]")
		tt.send("n\r")
		tt.waitFor("mailsh: not sent (use :starttls first)")
		// Still not logged in: the server never had the password.
		tt.command("STAT", "-ERR STAT is not valid now", "pop3 "+host+" pass>")
		tt.send("PASS " + pw + "\r")
		tt.waitUntil("a second question", func(screen string) bool { return strings.Count(screen, "send anyway? [y/N]") == 2 })
		tt.send("y\r")
		tt.waitFor("+OK Logged in as alice")
		if strings.Contains(tt.rawString(), pw) {
			t.Errorf("the password was shown:\n%s", tt.screen())
		}
	})

	t.Run("script", func(t *testing.T) {
		t.Parallel()
		home := append(isolatedHome(t), "MAILSH_PASSWORD="+pw)
		mailsh(t, "USER bob\nPASS\nQUIT\n", home, target).must(t, 1,
			"* Password em clear text!! PASS would send your credentials unencrypted to "+host,
			"mailsh: refusing to send a password in clear text in script mode: use TLS (--starttls, smtps://, pop3s://) or --allow-plaintext")
		mailsh(t, "USER bob\nPASS\nQUIT\n", home, "--allow-plaintext", target).must(t, 0,
			"* Password em clear text!!", "C: PASS [redacted]", "S: +OK Logged in as bob")
	})
}
