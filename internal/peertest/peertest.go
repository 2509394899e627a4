// Package peertest starts the real mail programs that mailsh's tests talk
// to (Dovecot, aiosmtpd, Postfix's smtp-sink and smtpd) on 127.0.0.1, and makes the
// test certificates they use. A test that needs a program that is not
// installed is skipped with a message saying so, unless
// MAILSH_REQUIRE_PEERS=1 (set by .ci/run after installing them), in which
// case it fails.
package peertest

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// Required reports whether missing peers fail tests instead of skipping.
func Required() bool { return os.Getenv("MAILSH_REQUIRE_PEERS") == "1" }

// Need returns the path of program, or skips the test (fails it with
// MAILSH_REQUIRE_PEERS=1) if it is not installed. The candidates are
// tried in order; each may be a name on $PATH or an absolute path.
func Need(t testing.TB, program string, candidates ...string) string {
	t.Helper()
	if len(candidates) == 0 {
		candidates = []string{program}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	Missing(t, program+" is not installed")
	return ""
}

// Missing skips or fails the test for a missing peer.
func Missing(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (MAILSH_REQUIRE_PEERS=1: .ci/run installs the peers)", why)
	}
	t.Skipf("%s; skipping (run .ci/run, or install it, to include this test)", why)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeAddr returns 127.0.0.1:PORT for a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}
