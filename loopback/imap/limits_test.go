package imap_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// --max-session bounds an IMAP session however busy it is.
func TestIMAPMaxSession(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) {
		c.Limits.MaxSession = 300 * time.Millisecond
	})
	c, br := imapConn(t, ts.imap)
	c.Write([]byte("a1 LOGIN " + user + " " + pass + "\r\n"))
	closed := make(chan time.Duration)
	go func() { closed <- untilClosed(br) }()
	start := time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	limit := time.After(10 * time.Second)
	for i := 0; ; i++ {
		select {
		case <-closed:
			if d := time.Since(start); d < 250*time.Millisecond {
				t.Errorf("closed after %v, before the session's 300ms", d)
			}
			return
		case <-tick.C:
			c.Write([]byte("n" + string(rune('0'+i%10)) + " NOOP\r\n")) // busy all along
		case <-limit:
			t.Fatal("a busy session outlived --max-session by 10s")
		}
	}
}

// While a listener holds 80% of its connections, a new session's wait for
// a command gets --stress-idle-timeout instead of go-imap's 30 s.
func TestIMAPStressIdle(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) {
		c.Limits.MaxConnections = 5
		c.Limits.MaxClientConnections = 5
		c.Limits.StressIdle = 200 * time.Millisecond
	})
	for range 3 {
		imapConn(t, ts.imap)
	}
	_, br := imapConn(t, ts.imap) // the fourth: 80%
	if d := untilClosed(br); d > 10*time.Second {
		t.Errorf("a silent client under stress was closed after %v, want about 200ms", d)
	}
}
