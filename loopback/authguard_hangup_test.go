package loopback_test

import (
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// watchedLog is a session log a test can wait on.
type watchedLog struct {
	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{}
}

func (w *watchedLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.text.Write(p)
	w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

// waitFor waits, up to patience, until the log holds want.
func (w *watchedLog) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(patience)
	for {
		w.mu.Lock()
		text := w.text.String()
		w.mu.Unlock()
		if strings.Contains(text, want) {
			return
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("the log lacks %q after %s:\n%s", want, patience, text)
		}
	}
}

// A client that hangs up right after sending a wrong password guesses
// no faster: the server still waits the whole delay, in the address's
// turn, and counts the failure, so that the next guess from the address
// waits the doubled delay. The waits are real here, as a guessing
// client meets them.
func TestAuthHangupGuessesNoFaster(t *testing.T) {
	t.Parallel()
	const delay = 300 * time.Millisecond
	tests := []struct {
		svc    *loopback.Service
		start  func(c *servertest.Client)
		guess  string
		failed string // the log's line for a failure, up to its count
		reply  string
	}{
		{smtpserver.Service, ehlo, "AUTH PLAIN AGRlbW8Ad3Jvbmc=", "AUTH PLAIN: failed ", "535 5.7.8 "},
		{pop3server.Service, func(c *servertest.Client) { c.Line(); c.Send("USER demo\r\n"); c.Line() },
			"PASS wrong", "USER/PASS: login failed ", "-ERR [AUTH] "},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			t.Parallel()
			sessionLog := &watchedLog{changed: make(chan struct{}, 1)}
			ts := startServer(t, func(c *loopback.Config) {
				c.Limits.AuthFailureDelay = delay
				c.Limits.MaxAuthFailureDelay = 10 * delay
				c.Log = log.New(sessionLog, "", 0)
			})
			quitter := servertest.Dial(t, ts.Addrs[tt.svc])
			tt.start(quitter)
			sent := time.Now()
			quitter.Send(tt.guess + "\r\n")
			quitter.Conn.Close()
			// The log's line comes after the wait, which held the turn.
			sessionLog.waitFor(t, tt.failed+"(1), answered after "+delay.String())
			if took := time.Since(sent); took < delay {
				t.Errorf("the failure of a client that hung up was over after %s, before its delay of %s", took, delay)
			}
			next := servertest.Dial(t, ts.Addrs[tt.svc])
			tt.start(next)
			sent = time.Now()
			next.Send(tt.guess + "\r\n")
			if r := next.Line(); !strings.HasPrefix(r, tt.reply) {
				t.Fatalf("next guess: %q, want %q", r, tt.reply)
			}
			if took := time.Since(sent); took < 2*delay {
				t.Errorf("the next guess was answered after %s, want the doubled delay, %s", took, 2*delay)
			}
			sessionLog.waitFor(t, tt.failed+"(1), answered after "+(2*delay).String())
		})
	}
}
