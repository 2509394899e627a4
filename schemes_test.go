package main

import (
	"strings"
	"testing"
)

// clientLines returns the lines mailsh sent, as its script output shows
// them, without the prefix.
func clientLines(stdout string) []string {
	var out []string
	for _, l := range strings.Split(stdout, "\n") {
		if c, ok := strings.CutPrefix(l, "C: "); ok {
			out = append(out, c)
		}
	}
	return out
}

// submission:// does STARTTLS before anything else, after an EHLO of
// its own, and verifies the certificate (trusting --cafile); an explicit
// port wins over 587.
func TestSubmissionScheme(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()})
	t.Run("trusted", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "EHLO me\nQUIT\n", isolatedHome(t), "--ehlo", "first.example.test", "--cafile", s.certFile, "submission://"+s.smtp)
		r.must(t, 0, "S: 220 2.0.0 Ready to start TLS\n* TLS started: ", "S: 250-localhost Hello me [127.0.0.1]", "S: 221 ")
		want := "EHLO first.example.test | STARTTLS | EHLO me | QUIT"
		if got := strings.Join(clientLines(r.stdout), " | "); got != want {
			t.Fatalf("sent %q, want %q (STARTTLS before the script's lines)\n%s", got, want, r.stdout)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "EHLO me\nQUIT\n", isolatedHome(t), "submission://"+s.smtp)
		r.must(t, 1, "C: STARTTLS", "mailsh: TLS handshake failed: certificate signed by unknown authority")
		if strings.Contains(r.stdout, "C: EHLO me") {
			t.Errorf("the script's lines went out without TLS:\n%s", r.stdout)
		}
	})
}

// rawtls:// speaks raw line mode over TLS from the first byte, and checks
// the certificate: trusted with --cafile, refused without it.
func TestRawTLSScheme(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()})
	t.Run("trusted", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "EHLO me\nQUIT\n", isolatedHome(t), "--cafile", s.certFile, "rawtls://"+s.smtps)
		r.must(t, 0, "* TLS started: TLS 1.3", "S: 220 localhost ESMTP", "S: 250-localhost Hello me [127.0.0.1]", "S: 221 ")
		if strings.Index(r.stdout, "* TLS started") > strings.Index(r.stdout, "S: 220 ") {
			t.Errorf("the greeting came before TLS:\n%s", r.stdout)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "EHLO me\nQUIT\n", isolatedHome(t), "rawtls://"+s.smtps)
		r.must(t, 1)
		if !strings.HasPrefix(r.stderr, "mailsh: TLS handshake failed: certificate signed by unknown authority") ||
			strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Fatalf("stdout %q, stderr %q; want one line on the unknown authority", r.stdout, r.stderr)
		}
	})
}
