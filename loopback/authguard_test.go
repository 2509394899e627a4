package loopback_test

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// hookedServer starts a server whose login delays are recorded by
// sleepHook instead of waited, with a 10 ms base delay capped at 40 ms.
func hookedServer(t *testing.T, hook func(time.Duration)) *servertest.Server {
	t.Helper()
	return startServer(t, func(c *loopback.Config) {
		c.Limits.AuthFailureDelay = 10 * time.Millisecond
		c.Limits.MaxAuthFailureDelay = 40 * time.Millisecond
		loopback.SetSleepHook(c, hook)
	})
}

// Each failed login waits before its reply; the wait doubles with each
// failure from the same client address, across sessions and protocols,
// up to the cap. A correct login is not delayed. After MaxAuthFailures
// in one session the server closes it.
func TestAuthFailureDelays(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var waits []time.Duration
	ts := hookedServer(t, func(d time.Duration) {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
	})
	// AUTH PLAIN demo/wrong, three times: the third closes.
	servertest.Dial(t, ts.Addrs[smtpserver.Service]).Converse(ts.Cert, `
S: 220 *
C: EHLO me
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250-*
S: 250 HELP
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 535 5.7.8 *
C: AUTH LOGIN ZGVtbw==
S: 334 UGFzc3dvcmQ6
C: d3Jvbmc=
S: 535 5.7.8 *
C: AUTH PLAIN AGRlbW8Ad3Jvbmc=
S: 421 4.7.0 Too many failed authentication attempts, closing the connection`)
	g := servertest.Dial(t, ts.Addrs[pop3server.Service])
	stamp := g.Line()
	stamp = stamp[strings.IndexByte(stamp, '<'):]
	g.Converse(ts.Cert, `
C: USER demo
S: +OK *
C: PASS wrong
S: -ERR [AUTH] Invalid user name or password
C: APOP demo `+servertest.APOPDigest(stamp, "wrong")+`
S: -ERR [AUTH] Invalid user name or password
C: USER demo
S: +OK *
C: PASS secret
S: +OK Logged in as demo*
C: QUIT
S: +OK *`)
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
}

// One address's logins are checked one at a time, the wait after a
// failure included, so that parallel connections guess no faster than
// one: the hook, which stands for the wait, never runs twice at once.
func TestAuthFailuresTakeTurns(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now, most, calls := 0, 0, 0
	ts := hookedServer(t, func(time.Duration) {
		mu.Lock()
		now++
		calls++
		most = max(most, now)
		mu.Unlock()
		// Hold the turn a little, as the real wait does, so that a
		// second login checked at the same time would overlap.
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		now--
		mu.Unlock()
	})
	const sessions = 6
	type try struct {
		addr  string
		lines []string // sent one by one, each read with its reply
		want  string   // the reply to the last
	}
	smtpTry := try{ts.Addrs[smtpserver.Service], []string{"EHLO me", "AUTH PLAIN AGRlbW8Ad3Jvbmc="}, "535 "}
	pop3Try := try{ts.Addrs[pop3server.Service], []string{"USER demo", "PASS wrong"}, "-ERR [AUTH] "}
	var wg sync.WaitGroup
	errs := make(chan string, sessions)
	for i := range sessions {
		tr := smtpTry
		if i%2 == 1 {
			tr = pop3Try
		}
		c := servertest.Dial(t, tr.addr)
		wg.Go(func() {
			last := ""
			for _, l := range append([]string{""}, tr.lines...) {
				if l != "" {
					c.Conn.Write([]byte(l + "\r\n"))
				}
				for {
					r, err := c.BR.ReadString('\n')
					if err != nil {
						errs <- err.Error()
						return
					}
					if last = r; len(r) < 4 || r[3] != '-' {
						break
					}
				}
			}
			if !strings.HasPrefix(last, tr.want) {
				errs <- last
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != sessions || most != 1 {
		t.Errorf("%d failures waited, at most %d at once; want %d, one at a time", calls, most, sessions)
	}
}

// A failed login never says which half was wrong: an unknown user and a
// wrong password get the same reply, in every mechanism of both
// protocols.
func TestAuthFailureSaysNotWhich(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	type attempt func(c *servertest.Client, user, pass string) string
	smtpAuth := func(script func(user, pass string) string) attempt {
		return func(c *servertest.Client, user, pass string) string {
			ehlo(c)
			for _, l := range strings.Split(script(user, pass), "\n") {
				c.Send(l + "\r\n")
				if r := c.Line(); !strings.HasPrefix(r, "334 ") {
					return r
				}
			}
			return "no reply"
		}
	}
	pop3Auth := func(script func(stamp, user, pass string) string) attempt {
		return func(c *servertest.Client, user, pass string) string {
			g := c.Line()
			stamp := g[strings.IndexByte(g, '<'):]
			for _, l := range strings.Split(script(stamp, user, pass), "\n") {
				c.Send(l + "\r\n")
				if r := c.Line(); !strings.HasPrefix(r, "+ ") && !strings.HasPrefix(r, "+OK Send PASS") {
					return r
				}
			}
			return "no reply"
		}
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		addr string
		try  attempt
	}{
		{"smtp plain", ts.Addrs[smtpserver.Service], smtpAuth(func(u, p string) string { return "AUTH PLAIN " + b64("\x00"+u+"\x00"+p) })},
		{"smtp login", ts.Addrs[smtpserver.Service], smtpAuth(func(u, p string) string { return "AUTH LOGIN\n" + b64(u) + "\n" + b64(p) })},
		{"pop3 user/pass", ts.Addrs[pop3server.Service], pop3Auth(func(_, u, p string) string { return "USER " + u + "\nPASS " + p })},
		{"pop3 apop", ts.Addrs[pop3server.Service], pop3Auth(func(stamp, u, p string) string { return "APOP " + u + " " + servertest.APOPDigest(stamp, p) })},
		{"pop3 auth plain", ts.Addrs[pop3server.Service], pop3Auth(func(_, u, p string) string { return "AUTH PLAIN " + b64("\x00"+u+"\x00"+p) })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unknown := tt.try(servertest.Dial(t, tt.addr), "nobody", "secret")
			wrong := tt.try(servertest.Dial(t, tt.addr), "demo", "wrong")
			if unknown != wrong {
				t.Errorf("unknown user: %q\nwrong password: %q", unknown, wrong)
			}
			if !strings.HasPrefix(wrong, "535 5.7.8 ") && !strings.HasPrefix(wrong, "-ERR [AUTH] ") {
				t.Errorf("reply %q is not a failed login", wrong)
			}
		})
	}
	// CRAM-MD5: the challenge differs each time, so compare the replies.
	for _, addr := range []string{ts.Addrs[smtpserver.Service], ts.Addrs[pop3server.Service]} {
		var replies []string
		for _, up := range [][2]string{{"nobody", "secret"}, {"demo", "wrong"}} {
			c := servertest.Dial(t, addr)
			prefix := "+ "
			if addr == ts.Addrs[smtpserver.Service] {
				ehlo(c)
				prefix = "334 "
			} else {
				c.Line()
			}
			c.Send("AUTH CRAM-MD5\r\n")
			ch, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.Line(), prefix))
			if err != nil {
				t.Fatal(err)
			}
			mac := hmac.New(md5.New, []byte(up[1]))
			mac.Write(ch)
			c.Send(b64(up[0]+" "+hex.EncodeToString(mac.Sum(nil))) + "\r\n")
			replies = append(replies, c.Line())
		}
		if replies[0] != replies[1] {
			t.Errorf("CRAM-MD5 at %s: unknown user %q, wrong password %q", addr, replies[0], replies[1])
		}
	}
}

// ehlo reads the greeting, says EHLO and reads the reply to its last line.
func ehlo(c *servertest.Client) {
	c.T.Helper()
	c.Line()
	c.Send("EHLO me\r\n")
	for l := c.Line(); strings.HasPrefix(l, "250-"); l = c.Line() {
	}
}
