package main

import (
	"path/filepath"
	"testing"
	"time"
)

// replay's --cafile, --insecure and --timeout work as for a session: a
// server certificate is checked unless --insecure, and a server that does
// not answer fails the step within --timeout.
func TestReplayTLSAndTimeout(t *testing.T) {
	t.Parallel()
	home := isolatedHome(t)
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:pw")
	tr := filepath.Join(t.TempDir(), "tls.txt")
	mailsh(t, "CAPA\nQUIT\n", home, "-t", tr, "--cafile", s.certFile, "pop3s://"+s.pop3s).must(t, 0, "* TLS started")

	mailsh(t, "", home, "replay", tr).must(t, 1,
		"TLS handshake failed: certificate signed by unknown authority", "use --cafile FILE, or --insecure to skip the check",
		"replay: 1 of 1 steps differ (first: step 1, (connect))")
	mailsh(t, "", home, "replay", "--cafile", s.certFile, tr).must(t, 0, "replay: all 3 steps match")
	mailsh(t, "", home, "replay", "--insecure", tr).must(t, 0, "replay: all 3 steps match")

	// A server that greets, then never answers.
	silent := hostile(t, "tcp", "127.0.0.1:0", "+OK hello\r\n", 30*time.Second)
	start := time.Now()
	mailsh(t, "", home, "replay", "--timeout", "300ms", tr, "pop3://"+silent).must(t, 1,
		"ok     1 (greeting)", "+ timed out: no reply to CAPA within 300ms", "replay: 2 of 3 steps differ (first: step 2, CAPA)")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the replay took %v against a silent server with --timeout 300ms", d)
	}
}
