package loopback_test

import (
	"context"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// waitClosing polls until Shutdown has begun.
func waitClosing(t *testing.T, s *loopback.Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !s.IsClosing() {
		if time.Now().After(deadline) {
			t.Fatal("shutdown did not begin")
		}
		time.Sleep(time.Millisecond)
	}
}

// Shutdown answers a session waiting for a command with 421 (RFC 5321
// §3.8) or POP3's -ERR, lets a message in transfer finish with its 250,
// and then closes.
func TestShutdownGraceful(t *testing.T) {
	ts := startServer(t, nil)
	idle := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	idle.Converse(nil, "S: 220 *\nC: HELO me\nS: 250 *")
	idlePOP := servertest.Dial(t, ts.Addrs[pop3server.Service])
	idlePOP.Converse(nil, "S: +OK *")
	busy := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	busy.Converse(nil, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: Subject: in flight`)
	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(context.Background()) }()
	waitClosing(t, ts.Server)
	idle.Converse(nil, "S: 421 4.3.2 localhost Service shutting down, closing the connection; try again later")
	idle.ExpectClosed()
	idlePOP.Converse(nil, "S: -ERR [SYS/TEMP] Server shutting down, try again later")
	busy.Converse(nil, `
C:
C: finished after the shutdown began
C: .
S: 250 2.0.0 * Message accepted: delivered to the mailbox of demo
S: 421 4.3.2 *`)
	busy.ExpectClosed()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(servertest.MaildirFiles(t, ts.Root, "demo", "new")); n != 1 {
		t.Errorf("%d messages, want the one finished", n)
	}
}

// When the grace period ends, a message still in transfer is cut off: it
// was never acknowledged, and nothing of it is left in new/ or tmp/.
func TestShutdownCutsOff(t *testing.T) {
	ts := startServer(t, nil)
	busy := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	busy.Converse(nil, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: Subject: cut off`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Shutdown(ctx) }()
	waitClosing(t, ts.Server)
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	// The write may fail: the server has closed the connection.
	busy.Conn.Write([]byte("more text\r\n.\r\n"))
	busy.ExpectClosed()
	for _, sub := range []string{"new", "tmp"} {
		if n := len(servertest.MaildirFiles(t, ts.Root, "demo", sub)); n != 0 {
			t.Errorf("%d files in %s/", n, sub)
		}
	}
}

// The idle timeout closes a silent SMTP session with 421 (RFC 5321
// §4.5.3.2.7) and a silent POP3 session without a word (RFC 1939 §3).
func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, func(c *loopback.Config) {
		c.Limits.Idle = 50 * time.Millisecond
	})
	c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	c.Converse(nil, "S: 220 *\nS: 421 4.4.2 localhost Idle for more than 50ms, closing the connection")
	c.ExpectClosed()
	p := servertest.Dial(t, ts.Addrs[pop3server.Service])
	p.Converse(nil, "S: +OK *")
	p.ExpectClosed()
}
