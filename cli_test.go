package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	o, err := parseArgs([]string{"smtp://h", "--starttls", "--timeout=5s", "-4", "--cafile", "ca.pem", "-e"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.starttls || o.timeout != 5*time.Second || !o.v4 || o.cafile != "ca.pem" || !o.errexit || strings.Join(o.args, " ") != "smtp://h" {
		t.Fatalf("%+v", o)
	}
	for _, bad := range [][]string{{"--bogus"}, {"--timeout"}, {"--timeout", "soon"}, {"-4", "-6"}, {"--insecure=yes"}} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// Each failure to connect gives one clear line on stderr, no stack trace,
// and a non-zero status.
func TestCLIErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"smtp://127.0.0.1:1"}, 1, "mailsh: cannot connect to 127.0.0.1:1: connection refused"},
		{[]string{"foo://x"}, 2, `mailsh: unknown scheme "foo"`},
		{[]string{"smtp://"}, 2, "no host"},
		{[]string{"localhost", "99999"}, 2, `bad port "99999"`},
		{[]string{"smtp://no-such-host.invalid"}, 1, "no such host"},
		{[]string{"--nope"}, 2, "unknown option --nope"},
		{[]string{"a", "b", "c"}, 2, "too many arguments"},
	}
	for _, tt := range tests {
		r := mailsh(t, "", nil, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
			t.Errorf("%v: status %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.msg)
		}
		if lines := strings.Count(strings.TrimSpace(r.stderr), "\n"); lines > 1 || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%v: stderr is not one clear line: %q", tt.args, r.stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	mailsh(t, "", nil, "--help").must(t, 0, "Examples:", "mailsh smtp://localhost", "--starttls")
	mailsh(t, "", nil, "--version").must(t, 0, "mailsh ")
}
