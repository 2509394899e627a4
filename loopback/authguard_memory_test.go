package loopback_test

import (
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// How long an address's failed logins are remembered: an hour after the
// last one, whatever logins succeed meanwhile.

// guardWaits starts a server whose login delays (10 ms doubling to 40 ms)
// are recorded instead of waited, and whose login guard reads the time
// from clock. It returns the server and the last wait recorded, 0 for
// none yet.
func guardWaits(t *testing.T, clock func() time.Time) (*servertest.Server, func() time.Duration) {
	t.Helper()
	var mu sync.Mutex
	var last time.Duration
	ts := startServer(t, func(c *loopback.Config) {
		c.Limits.AuthFailureDelay = 10 * time.Millisecond
		c.Limits.MaxAuthFailureDelay = 40 * time.Millisecond
		loopback.SetSleepHook(c, func(d time.Duration) {
			mu.Lock()
			last = d
			mu.Unlock()
		})
		if clock != nil {
			loopback.SetClock(c, clock)
		}
	})
	return ts, func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

// smtpLogin logs in with AUTH PLAIN in a session of its own and returns
// the reply.
func smtpLogin(t *testing.T, ts *servertest.Server, user, pass string) string {
	t.Helper()
	c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	ehlo(c)
	c.Send("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)) + "\r\n")
	return c.Line()
}

// pop3Login logs in with USER and PASS in a session of its own and
// returns the reply to PASS.
func pop3Login(t *testing.T, ts *servertest.Server, user, pass string) string {
	t.Helper()
	c := servertest.Dial(t, ts.Addrs[pop3server.Service])
	c.Line()
	c.Send("USER " + user + "\r\n")
	c.Line()
	c.Send("PASS " + pass + "\r\n")
	r := c.Line()
	c.Send("QUIT\r\n")
	c.Line()
	return r
}

// Failures are forgotten an hour after the address's last one, not its
// first: failures 59 minutes apart keep the grown delay, and the first
// failure more than an hour after the last starts again from the base.
func TestAuthFailuresForgottenAfterAnHour(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	ts, lastWait := guardWaits(t, func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	})
	steps := []struct {
		after time.Duration // the clock moves on by this before the login
		want  time.Duration // the wait after the failure
	}{
		{0, 10 * time.Millisecond},
		{time.Minute, 20 * time.Millisecond},
		{59 * time.Minute, 40 * time.Millisecond},
		{59 * time.Minute, 40 * time.Millisecond}, // 1 h 59 min after the first
		{time.Hour + time.Second, 10 * time.Millisecond},
		{0, 20 * time.Millisecond},
	}
	for i, st := range steps {
		mu.Lock()
		now = now.Add(st.after)
		mu.Unlock()
		login := smtpLogin
		if i%2 == 1 {
			login = pop3Login
		}
		if r := login(t, ts, "demo", "wrong"); r[0] != '5' && r[0] != '-' {
			t.Fatalf("failure %d: %q", i+1, r)
		}
		if got := lastWait(); got != st.want {
			t.Fatalf("failure %d, %s after the one before: waited %s, want %s", i+1, st.after, got, st.want)
		}
	}
}

// A correct login does not forget the address's failures: the failure
// after it waits longer than the one before it, over either protocol.
func TestAuthCorrectLoginKeepsFailures(t *testing.T) {
	t.Parallel()
	ts, lastWait := guardWaits(t, nil)
	steps := []struct {
		login      func(*testing.T, *servertest.Server, string, string) string
		user, pass string
		want       string        // the reply's start
		wait       time.Duration // the last wait after it
	}{
		{smtpLogin, "demo", "wrong", "535 5.7.8 ", 10 * time.Millisecond},
		{smtpLogin, "demo", "secret", "235 2.7.0 ", 10 * time.Millisecond},
		{pop3Login, "alice", "wonderland", "+OK Logged in as alice", 10 * time.Millisecond},
		{pop3Login, "demo", "wrong", "-ERR [AUTH] ", 20 * time.Millisecond},
		{pop3Login, "demo", "secret", "+OK Logged in as demo", 20 * time.Millisecond},
		{smtpLogin, "alice", "wrong", "535 5.7.8 ", 40 * time.Millisecond},
	}
	for i, st := range steps {
		if r := st.login(t, ts, st.user, st.pass); !strings.HasPrefix(r, st.want) {
			t.Fatalf("login %d (%s): %q, want %q", i+1, st.user, r, st.want)
		}
		if got := lastWait(); got != st.wait {
			t.Fatalf("after login %d (%s:%s): last wait %s, want %s", i+1, st.user, st.pass, got, st.wait)
		}
	}
}
