package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

// hostile serves one connection with a fixed script of raw bytes, then
// reads until the client goes.
func hostile(t *testing.T, network, addr, script string, hold time.Duration) string {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte(script))
		c.SetReadDeadline(time.Now().Add(hold))
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	}()
	return l.Addr().String()
}

func TestHostileServers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script string
		input  string
		code   int
		msg    string
	}{
		{"absurd line", "220 " + strings.Repeat("x", 2<<20) + "\r\n", "QUIT\n", 1, "line too long"},
		// 50 MB without a line feed: "line too long" at once, not a timeout.
		{"endless line", "220 " + strings.Repeat("x", 50<<20), "QUIT\n", 1, "line too long: "},
		{"stops mid-reply", "220-first\r\n", "QUIT\n", 1, "no reply to the greeting within 1s"},
		{"closes mid-reply", "220-first\r\n", "", 1, "connection closed by server"},
		{"not a mail server", "SSH-2.0-OpenSSH_9.2\r\n", "QUIT\n", 1, `the greeting is not SMTP: "SSH-2.0-OpenSSH_9.2"`},
		{"endless continuation", strings.Repeat("250-x\r\n", 5000) + "250 end\r\n", "", 1, "reply too long"},
		{"silent", "", "QUIT\n", 1, "no reply to the greeting within 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hold := 5 * time.Second
			if strings.HasPrefix(tt.name, "closes") {
				hold = 0
			}
			addr := hostile(t, "tcp", "127.0.0.1:0", tt.script, hold)
			r := mailsh(t, tt.input, isolatedHome(t), "--timeout", "1s", "smtp://"+addr)
			r.must(t, tt.code, tt.msg)
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Fatalf("crashed:\n%s", r.stderr)
			}
		})
	}
}

// Escape sequences from a server are shown, not obeyed.
func TestHostileEscapes(t *testing.T) {
	t.Parallel()
	addr := hostile(t, "tcp", "127.0.0.1:0", "220 hi \x1b]0;pwned\x07 \x1b[2J\r\n", 200*time.Millisecond)
	r := mailsh(t, "QUIT\n", nil, "smtp://"+addr)
	r.must(t, 1, `220 hi \x1b]0;pwned\x07 \x1b[2J`)
	if strings.Contains(r.stdout, "\x1b") {
		t.Fatalf("raw escape on stdout: %q", r.stdout)
	}
}

// Bidirectional controls and other invisible characters from a server are
// shown escaped: U+202E would make the rest of the line read backwards.
func TestHostileBidi(t *testing.T) {
	t.Parallel()
	addr := hostile(t, "tcp", "127.0.0.1:0", "220 \u202Emoc.elpmaxe\u2066 hi\u200B\uFEFF\r\n", 200*time.Millisecond)
	r := mailsh(t, "QUIT\n", isolatedHome(t), "smtp://"+addr)
	r.must(t, 1, `S: 220 \u202Emoc.elpmaxe\u2066 hi\u200B\uFEFF`)
	if strings.ContainsAny(r.stdout+r.stderr, "\u202E\u2066\u200B\uFEFF") {
		t.Fatalf("raw invisible character in the output: %q", r.stdout)
	}
}

// isolatedHome points the home and XDG directories of a run of mailsh at
// a temporary directory.
func isolatedHome(t *testing.T) []string {
	d := t.TempDir()
	return []string{"HOME=" + d, "XDG_STATE_HOME=" + d, "XDG_DATA_HOME=" + d, "XDG_CONFIG_HOME=" + d, "XDG_CACHE_HOME=" + d}
}

func TestAddressFamily(t *testing.T) {
	t.Parallel()
	// The server greets and closes half a second later, before or after
	// the QUIT: either way the session ends with the server's close.
	addr := hostile(t, "tcp6", "[::1]:0", "220 v6\r\n", 500*time.Millisecond)
	_, port, _ := net.SplitHostPort(addr)
	mailsh(t, "QUIT\n", nil, "-6", "::1", port).must(t, 1, "S: 220 v6")
	mailsh(t, "QUIT\n", nil, "smtp://[::1]:"+port, "-4").must(t, 1, "cannot connect to [::1]:"+port+": no suitable address")
}
