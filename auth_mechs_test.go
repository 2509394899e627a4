package main

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// :auth XOAUTH2 asks for an OAuth 2.0 access token (at a terminal,
// without echo) and sends XOAUTH2's initial response (user=… ^A
// auth=Bearer … ^A^A), shown with the
// token hidden.
func TestAuthXOAUTH2(t *testing.T) {
	t.Parallel()
	const token = "ya29.a0-secret-token"
	srv := startFakeSMTP(t, "AUTH PLAIN XOAUTH2")
	blob := base64.StdEncoding.EncodeToString([]byte("user=vmc@example.org\x01auth=Bearer " + token + "\x01\x01"))

	r := mailsh(t, "EHLO me\n:auth XOAUTH2 vmc@example.org\nQUIT\n", append(isolatedHome(t), "MAILSH_PASSWORD="+token), "smtp://"+srv.Addr)
	r.must(t, 0, "* XOAUTH2 initial response: ", "(sent base64-encoded)", "C: AUTH XOAUTH2 [redacted", "S: 235 2.7.0 ok")
	if !srv.received("AUTH XOAUTH2 " + blob) {
		t.Errorf("the server did not get XOAUTH2's response for the token")
	}
	if strings.Contains(r.stdout+r.stderr, token) || strings.Contains(r.stdout+r.stderr, blob) {
		t.Errorf("the token was shown:\n%s", r.stdout)
	}

	tt := startTTY(t, isolatedHome(t), "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 8BITMIME", "mail>")
	tt.send(":auth XOAUTH2 vmc@example.org\r")
	tt.waitFor("OAuth 2.0 access token for vmc@example.org:")
	tt.send(token + "\r")
	tt.waitFor("235 2.7.0 ok")
	if strings.Contains(tt.rawString(), token) {
		t.Errorf("the typed token was echoed:\n%s", tt.screen())
	}
}

// :auth shows each challenge and the response it computed, the password
// hidden: CRAM-MD5's challenge and digest, PLAIN's initial response.
func TestAuthShowsSteps(t *testing.T) {
	t.Parallel()
	const pw = "s3cret-steps"
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "alice:"+pw)
	home := append(isolatedHome(t), "MAILSH_PASSWORD="+pw)
	r := mailsh(t, "EHLO me\n:auth CRAM-MD5 alice\nQUIT\n", home, "smtp://"+s.smtp)
	r.must(t, 0, "S: 235 ")
	for _, re := range []string{
		`\* CRAM-MD5 challenge: "<[0-9a-f]+\.\d+@localhost>"\n`,
		`\* CRAM-MD5 response: alice [0-9a-f]{32} \(sent base64-encoded\)\n`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("output lacks %s:\n%s", re, r.stdout)
		}
	}
	r = mailsh(t, "EHLO me\n:auth PLAIN alice\nQUIT\n", home, "smtp://"+s.smtp)
	r.must(t, 0, `* PLAIN initial response: \0alice\0[password] (sent base64-encoded)`, "C: AUTH PLAIN [redacted user=alice]", "S: 235 ")
	if strings.Contains(r.stdout, pw) {
		t.Errorf("the password was shown:\n%s", r.stdout)
	}
}
