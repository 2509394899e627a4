package imap_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// --idle-timeout reaches IMAP: a client silent for longer than it, before
// login, after login, or in IDLE, is disconnected, where go-imap alone
// would wait 30 s and 35 minutes.
func TestIMAPIdleTimeout(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) {
		c.Limits.Idle = 200 * time.Millisecond
	})
	for _, tc := range []struct {
		name string
		say  []string // lines to send, each answered, before falling silent
	}{
		{"before login", nil},
		{"after login", []string{"a1 LOGIN " + user + " " + pass}},
		{"in IDLE", []string{"a1 LOGIN " + user + " " + pass, "a2 SELECT INBOX", "a3 IDLE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, br := imapConn(t, ts.imap)
			for _, l := range tc.say {
				c.Write([]byte(l + "\r\n"))
				tag, _, _ := strings.Cut(l, " ")
				for {
					got, err := br.ReadString('\n')
					if err != nil {
						t.Fatalf("%s: %v", l, err)
					}
					if strings.HasPrefix(got, tag+" ") || strings.HasPrefix(got, "+") {
						break
					}
				}
			}
			if d := untilClosed(br); d > 5*time.Second {
				t.Errorf("closed after %v, want about 200ms", d)
			}
		})
	}
}
