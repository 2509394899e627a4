package loopback_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// Each fault rule produces exactly the replies it promises.
func TestFaultRules(t *testing.T) {
	tests := []struct {
		specs  []string
		script string
	}{
		{[]string{"connect:554"}, `
S: 554 5.3.2 No SMTP service here (fault rule connect:554)
C: EHLO me
S: 503 5.5.1 This server refused the session at connect (554): only QUIT is accepted
C: QUIT
S: 221 2.0.0 localhost closing connection, goodbye`},
		{[]string{"connect:554 5.7.1 Go away"}, `
S: 554 5.7.1 Go away`},
		{[]string{"ehlo:502"}, `
S: 220 *
C: EHLO me
S: 502 5.5.1 Command not implemented (fault rule ehlo:502)
C: HELO me
S: 250 localhost Hello me [127.0.0.1], pleased to meet you`},
		{[]string{"mail:451"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 451 4.3.0 Local error in processing, try again later (fault rule mail:451)
C: RCPT TO:<demo@localhost>
S: 503 *`},
		{[]string{"mail~*@spam.example:550 5.7.1 Sender blocked"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<x@spam.example>
S: 550 5.7.1 Sender blocked
C: MAIL FROM:<x@ham.example>
S: 250 2.1.0 Sender <x@ham.example> OK`},
		{[]string{"rcpt#3:452"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: RCPT TO:<alice@localhost>
S: 250 *
C: RCPT TO:<postmaster@localhost>
S: 452 4.5.3 Too many recipients, send the rest later (fault rule rcpt#3:452)
C: RCPT TO:<Postmaster>
S: 250 *
C: RSET
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: RCPT TO:<alice@localhost>
S: 250 *
C: RCPT TO:<postmaster@localhost>
S: 452 4.5.3 *`},
		{[]string{"mail:421"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 421 4.3.2 Service not available, closing the connection (fault rule mail:421)
CLOSED`},
		{[]string{"rcpt~*@spam.example:550"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<Someone@SPAM.example>
S: 550 5.1.1 No such user here (fault rule rcpt~*@spam.example:550)
C: RCPT TO:<demo@localhost>
S: 250 *`},
		{[]string{"rcpt:450", "rcpt:550"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 450 4.2.1 Mailbox unavailable right now (busy), try again later (fault rule rcpt:450)`},
		{[]string{"data:451"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 451 4.3.0 Local error in processing, try again later (fault rule data:451)`},
		{[]string{"dot:452"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: lost
C: .
S: 452 4.3.1 Insufficient system storage, try again later (fault rule dot:452)
C: RCPT TO:<demo@localhost>
S: 503 *`},
		{[]string{"dot:421"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: lost
C: .
S: 421 4.3.2 Service not available, closing the connection (fault rule dot:421)
CLOSED`},
		{[]string{"dot:drop"}, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: lost
C: .
CLOSED`},
		{[]string{"ext=STARTTLS", "ext=CHUNKING"}, `
S: 220 *
C: EHLO me
` + servertest.EHLOReply + `
C: STARTTLS
S: 454 4.7.0 TLS not available due to temporary reason (fault rule ext=STARTTLS)
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: BDAT 5 LAST
C: abc
S: 502 5.5.1 BDAT not implemented (fault rule ext=CHUNKING)
C: NOOP
S: 250 *`},
		{[]string{"ext=SIZE", "ext=8BITMIME", "ext=SMTPUTF8", "ext=AUTH"}, `
S: 220 *
C: EHLO me
` + servertest.EHLOReply + `
C: MAIL FROM:<a@b.example> SIZE=10
S: 555 5.5.4 SIZE parameter not recognized (fault rule ext=SIZE)
C: MAIL FROM:<a@b.example> BODY=8BITMIME
S: 555 5.5.4 BODY=8BITMIME parameter not recognized (fault rule ext=8BITMIME)
C: MAIL FROM:<a@b.example> SMTPUTF8
S: 555 5.5.4 SMTPUTF8 parameter not recognized (fault rule ext=SMTPUTF8)
C: MAIL FROM:<a@b.example> BODY=7BIT
S: 250 *
C: RSET
S: 250 *
C: AUTH PLAIN AGRlbW8Ac2VjcmV0
S: 454 4.7.0 Temporary authentication failure (fault rule ext=AUTH)`},
		{[]string{"pop3.connect:-ERR [SYS/TEMP] Maintenance"}, `
POP3
S: -ERR [SYS/TEMP] Maintenance
CLOSED`},
		{[]string{"pop3.retr:-ERR"}, `
POP3
S: +OK *
C: USER demo
S: +OK *
C: PASS secret
S: +OK *
C: RETR 1
S: -ERR Refused (fault rule pop3.retr:-ERR)
C: LIST 1
S: +OK 1 *`},
		{[]string{"pop3.retr#2:drop"}, `
POP3
S: +OK *
C: USER demo
S: +OK *
C: PASS secret
S: +OK *
C: TOP 1 0
S: +OK *
S: Subject: hi
S: 
S: .
C: RETR 1
S: +OK *
S: Subject: hi
S: 
S: there
S: .
C: RETR 1
CLOSED`},
		{[]string{"pop3.busy"}, `
POP3
S: +OK *
C: USER demo
S: +OK *
C: PASS secret
S: -ERR [IN-USE] Mailbox in use by another session, try again later
C: STAT
S: -ERR STAT is not valid now *`},
		{[]string{"pop3.busy~alice"}, `
POP3
S: +OK *
C: USER alice
S: +OK *
C: PASS wonderland
S: -ERR [IN-USE] *
C: USER demo
S: +OK *
C: PASS secret
S: +OK Logged in as demo*`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.specs, " "), func(t *testing.T) {
			faults, err := loopback.ParseFaults(tt.specs, faultDialects...)
			if err != nil {
				t.Fatal(err)
			}
			ts := startServer(t, func(c *loopback.Config) { c.Faults = faults })
			servertest.Put(t, ts, "demo", "1000000000.M1P1.host", "Subject: hi\n\nthere\n")
			addr, script := ts.Addrs[smtpserver.Service], tt.script
			if s, ok := strings.CutPrefix(strings.TrimSpace(script), "POP3"); ok {
				addr, script = ts.Addrs[pop3server.Service], s
			}
			closed := strings.HasSuffix(script, "CLOSED")
			script = strings.TrimSuffix(script, "CLOSED")
			c := servertest.Dial(t, addr)
			c.Converse(ts.Cert, script)
			if closed {
				c.ExpectClosed()
			}
			if n := len(servertest.MaildirFiles(t, ts.Root, "demo", "new")); n != 1 {
				t.Errorf("%d messages in new/: a faulted transaction delivered", n)
			}
		})
	}
}

// connect#1: only the first connection is refused; maxconn=1: a second
// connection at once gets 421; greylist: the first try of a triple gets
// 451 4.7.1, the retry passes.
func TestFaultRulesAcrossConnections(t *testing.T) {
	t.Run("connect#1", func(t *testing.T) {
		f, _ := loopback.ParseFaults([]string{"connect#1:421"}, faultDialects...)
		ts := startServer(t, func(c *loopback.Config) { c.Faults = f })
		c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
		c.Converse(nil, `S: 421 4.3.2 Service not available, closing the connection (fault rule connect#1:421)`)
		c.ExpectClosed()
		servertest.Dial(t, ts.Addrs[smtpserver.Service]).Converse(nil, `S: 220 *`)
	})
	t.Run("maxconn", func(t *testing.T) {
		f, _ := loopback.ParseFaults([]string{"maxconn=1"}, faultDialects...)
		ts := startServer(t, func(c *loopback.Config) { c.Faults = f })
		first := servertest.Dial(t, ts.Addrs[smtpserver.Service])
		first.Converse(nil, `S: 220 *`)
		second := servertest.Dial(t, ts.Addrs[smtpserver.Service])
		second.Converse(nil, `S: 421 4.7.0 localhost Too many connections (at most 1 at once), try again later`)
		second.ExpectClosed()
		p := servertest.Dial(t, ts.Addrs[pop3server.Service])
		p.Converse(nil, `S: +OK *`)
		servertest.Dial(t, ts.Addrs[pop3server.Service]).Converse(nil, `S: -ERR [SYS/TEMP] Too many connections (at most 1 at once), try again later`)
	})
	t.Run("greylist", func(t *testing.T) {
		f, _ := loopback.ParseFaults([]string{"greylist"}, faultDialects...)
		ts := startServer(t, func(c *loopback.Config) { c.Faults = f })
		try := `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: %s
C: RCPT TO:<alice@localhost>
S: %s
C: QUIT
S: 221 *`
		servertest.Dial(t, ts.Addrs[smtpserver.Service]).Converse(nil, fmt.Sprintf(try,
			"451 4.7.1 Greylisted: first try from <a@b.example> to <demo@localhost>; please try again later (fault rule greylist)",
			"451 4.7.1 Greylisted: *"))
		servertest.Dial(t, ts.Addrs[smtpserver.Service]).Converse(nil, fmt.Sprintf(try, "250 2.1.5 *", "250 2.1.5 *"))
	})
}

// Delays are asked for before the reply of each command they match, and
// add up; the sleep is replaced so that nothing waits.
func TestFaultDelays(t *testing.T) {
	f, err := loopback.ParseFaults([]string{"any:delay=2s", "rcpt:delay=500ms", "pop3.any:delay=1s"}, faultDialects...)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var slept []time.Duration
	ts := startServer(t, func(c *loopback.Config) {
		c.Faults = f
		loopback.SetSleepHook(c, func(d time.Duration) {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
		})
	})
	servertest.Dial(t, ts.Addrs[smtpserver.Service]).Converse(nil, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: QUIT
S: 221 *`)
	servertest.Dial(t, ts.Addrs[pop3server.Service]).Converse(nil, `
S: +OK *
C: QUIT
S: +OK *`)
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2500 * time.Millisecond, 2 * time.Second, time.Second, time.Second}
	if fmt.Sprintf("%v", slept) != fmt.Sprintf("%v", want) {
		t.Errorf("delays %v, want %v (connect, HELO, MAIL, RCPT, QUIT; POP3 connect, QUIT)", slept, want)
	}
}

func TestParseFaultsErrors(t *testing.T) {
	tests := []struct{ spec, msg string }{
		{"rcpt#x:452", `after # comes a count from 1, as in rcpt#3, not "x"`},
		{"rcpt#0:452", "after # comes a count from 1"},
		{"foo:451", `unknown point "foo"; the points are connect, dot, any, ehlo, helo, starttls, auth, mail, rcpt, data, bdat, rset, vrfy, expn, help, noop, quit, pop3.connect`},
		{"rcpt:250", `"250" is not a failure reply code`},
		{"connect:451", "at connect the reply is 554 (no service) or 421 (closing)"},
		{"mail:451 5.1.1", "enhanced code 5.1.1 does not agree with 451"},
		{"pop3.retr:451", "a POP3 point takes -ERR [CODE] [TEXT], drop or delay=DURATION"},
		{"mail:-ERR", "-ERR is a POP3 reply"},
		{"maxconn=0", "maxconn= takes a number of connections"},
		{"ext=PIPELINING", `ext= takes STARTTLS, AUTH, CHUNKING, SIZE, 8BITMIME or SMTPUTF8, not "PIPELINING"`},
		{"pop3.ext=APOP", "pop3.ext= takes STLS, TOP, UIDL, USER or SASL"},
		{"rcpt", "write POINT[#N][~PATTERN]:ACTION"},
		{"rcpt:delay=0s", `bad duration "0s"`},
		{"rcpt:delay=2h", `bad duration "2h"`},
		{"greylist=soon", `bad duration "soon"`},
		{"rcpt~:550", "~ needs a pattern"},
		{"pop3.retr:-ERR [IN-USE", "a response code is written in brackets"},
	}
	for _, tt := range tests {
		_, err := loopback.ParseFaults([]string{tt.spec}, faultDialects...)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseFaults(%q) = %v, want an error containing %q", tt.spec, err, tt.msg)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"*@x", "a@x", true}, {"*@x", "a@y", false}, {"a?c", "abc", true},
		{"a*b*c", "aXXbYYc", true}, {"a*b*c", "aXXbYY", false}, {"*.example", "a.b.example", true},
		{"x", "xx", false}, {"**", "abc", true},
	}
	for _, tt := range tests {
		if got := loopback.GlobMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}
