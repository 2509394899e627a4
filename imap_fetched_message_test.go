package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// :headers and :hops read the last whole message an IMAP FETCH brought,
// RFC822 as well as BODY[]; a partial fetch (BODY[]<0.20>) does not
// replace it.
func TestIMAPFetchedMessageViews(t *testing.T) {
	t.Parallel()
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "mailsh"), 0o700)
	os.WriteFile(filepath.Join(xdg, "mailsh", "demo-password"), []byte("fetch-Pw6\n"), 0o600)
	script := `EHLO me
MAIL FROM:<a@b.example>
RCPT TO:<demo@localhost>
DATA
Subject: fetched whole
X-Mark: one

the body
.
:connect imap
:auth
SELECT INBOX
FETCH 1 RFC822
:headers
:hops
FETCH 1 BODY.PEEK[]<0.20>
:headers
LOGOUT
`
	r := mailsh(t, script, []string{"XDG_DATA_HOME=" + xdg, "MAILSH_PASSWORD=fetch-Pw6", "HOME=" + t.TempDir()})
	r.must(t, 0, "S: * 1 FETCH (UID 1 FLAGS (\\Seen) RFC822 {", "1 hop, read bottom to top", "me [127.0.0.1]  localhost  ESMTP")
	// Each :headers shows the whole message's header: the field is on a
	// line of its own, not a server line (S:), twice.
	var shown int
	for _, l := range strings.Split(r.stdout, "\n") {
		if l == "X-Mark: one" {
			shown++
		}
	}
	if shown != 2 {
		t.Errorf(":headers showed the whole header %d times, want 2 (after RFC822, and after the partial fetch):\n%s", shown, r.stdout)
	}
}
