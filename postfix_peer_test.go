package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/internal/peertest"
)

// Postfix's own smtpd refuses what a hand-typed session gets wrong; mailsh
// must show each refusal, explain it, stop with status 1 under -e, and
// report a close by the server once. One Postfix serves all the subtests.
func TestRealPostfixRefusals(t *testing.T) {
	t.Parallel()
	pf := peertest.StartPostfix(t, map[string]string{"vmc": "tanstaaf"})
	// closedOnce checks that the transcript reports the close exactly once
	// and that the error does not repeat it in the same words.
	closedOnce := func(t *testing.T, r result) {
		t.Helper()
		if n := strings.Count(r.stdout, "connection closed"); n != 1 {
			t.Errorf("the close is reported %d times on stdout, want 1:\n%s", n, r.stdout)
		}
		if n := strings.Count(r.stderr, "\n"); n > 2 {
			t.Errorf("more than an error and a hint on stderr:\n%s", r.stderr)
		}
	}
	t.Run("non-command: I can break rules, too", func(t *testing.T) {
		t.Parallel()
		// Postfix 3.7's smtpd_forbidden_commands holds
		// regexp:{{/^[^A-Z]/ Bogus}}: a line that starts with anything
		// but a letter is taken for an attack and the session ends.
		r := mailsh(t, "EHLO me\n1 MAIL FROM:<a@b.example>\nNOOP\n", isolatedHome(t), "-e", "smtp://"+pf.Addr)
		r.must(t, 1, "C: 1 MAIL FROM:<a@b.example>",
			"S: 221 2.7.0 Error: I can break rules, too. Goodbye.",
			"* connection closed",
			`mailsh: the server ended the session with "221 2.7.0 Error: I can break rules, too. Goodbye."`,
			"mailsh: hint: 221: service closing the connection")
		if strings.Contains(r.stdout, "C: NOOP") {
			t.Error("went on after the server hung up")
		}
		closedOnce(t, r)
	})
	t.Run("header as a command", func(t *testing.T) {
		t.Parallel()
		// A header line typed outside DATA gets the same answer (without -e).
		r := mailsh(t, "HELO me\nSubject: hello\nQUIT\n", isolatedHome(t), "smtp://"+pf.Addr)
		r.must(t, 1, "S: 221 2.7.0 Error: I can break rules, too. Goodbye.", `mailsh: the server ended the session with "221 2.7.0 Error: I can break rules, too. Goodbye."`)
		closedOnce(t, r)
	})
	t.Run("bad syntax", func(t *testing.T) {
		t.Parallel()
		// A line with no word in it: a form feed, which Postfix skips as
		// white space (mailsh sends it, trimming only blanks and tabs).
		r := mailsh(t, "EHLO me\n\f\nNOOP\n", isolatedHome(t), "-e", "smtp://"+pf.Addr)
		r.must(t, 1, `C: \x0c`, "S: 500 5.5.2 Error: bad syntax",
			`mailsh: stopped at "500 5.5.2 Error: bad syntax" (--errexit)`,
			"mailsh: hint: 500: syntax error")
		if strings.Contains(r.stdout, "C: NOOP") {
			t.Error("went on after the failure")
		}
		// An empty line sent raw draws the same reply; the session goes on.
		r = mailsh(t, "EHLO me\n:raw send \"\\r\\n\"\nNOOP\nQUIT\n", isolatedHome(t), "smtp://"+pf.Addr)
		r.must(t, 0, "S: 500 5.5.2 Error: bad syntax", "S: 250 2.0.0 Ok", "S: 221 2.0.0 Bye")
	})
	t.Run("too many errors: 421", func(t *testing.T) {
		t.Parallel()
		// smtpd_hard_error_limit = 2 on this port: the third command after
		// two errors is answered with 421 and the connection closed.
		r := mailsh(t, "EHLO me\nRCPT TO:<a@b.example>\nRCPT TO:<a@b.example>\nNOOP\nQUIT\n", isolatedHome(t), "smtp://"+pf.StrictAddr)
		r.must(t, 1, "S: 503 5.5.1 Error: need MAIL command",
			"S: 421 4.7.0 postfix.test Error: too many errors",
			"* connection closed",
			`mailsh: the server ended the session with "421 4.7.0 postfix.test Error: too many errors"`,
			"mailsh: hint: 421: service not available, closing the connection")
		if strings.Contains(r.stdout, "C: QUIT") {
			t.Error("sent QUIT on a closed connection")
		}
		closedOnce(t, r)
	})
	t.Run("STARTTLS first: 530", func(t *testing.T) {
		t.Parallel()
		r := mailsh(t, "EHLO me\nMAIL FROM:<a@b.example>\nQUIT\n", isolatedHome(t), "-e", "smtp://"+pf.SubmissionAddr)
		r.must(t, 1, "S: 250-STARTTLS", "S: 530 5.7.0 Must issue a STARTTLS command first",
			`mailsh: stopped at "530 5.7.0 Must issue a STARTTLS command first" (--errexit)`,
			"mailsh: hint: 530: authentication or encryption required")
		// And after STARTTLS the same command is accepted.
		r = mailsh(t, "EHLO me\nMAIL FROM:<a@b.example>\nQUIT\n", isolatedHome(t), "-e",
			"--starttls", "--cafile", pf.Cert.CAFile, "smtp://"+pf.SubmissionAddr)
		r.must(t, 0, "* TLS started", "S: 250 2.1.0 Ok", "S: 221 2.0.0 Bye")
	})
	t.Run("AUTH refused after its delay: 535", func(t *testing.T) {
		t.Parallel()
		if !pf.SASL {
			peertest.Missing(t, "Postfix's SASL needs Dovecot (dovecot-core)")
		}
		// The right password first: after a failure Dovecot makes the
		// next attempt from the address wait longer (auth_penalty).
		r := mailsh(t, "EHLO me\n:auth PLAIN vmc\nQUIT\n", append(isolatedHome(t), "MAILSH_PASSWORD=tanstaaf"), "-e", "smtp://"+pf.Addr)
		r.must(t, 0, "S: 235 2.7.0 Authentication successful")
		start := time.Now()
		r = mailsh(t, "EHLO me\n:auth PLAIN vmc\nNOOP\n", append(isolatedHome(t), "MAILSH_PASSWORD=wrong"), "-e", "smtp://"+pf.Addr)
		took := time.Since(start)
		r.must(t, 1, "S: 250-AUTH PLAIN LOGIN", "C: AUTH PLAIN [redacted user=vmc]",
			"S: 535 5.7.8 Error: authentication failed",
			`mailsh: stopped at "535 5.7.8 Error: authentication failed`,
			"mailsh: hint: 535: authentication credentials invalid")
		if strings.Contains(r.stdout+r.stderr, "wrong") {
			t.Error("the password was shown")
		}
		// Dovecot's auth_failure_delay (2 s) is the attacker's cost: it
		// counts in whole seconds and is checked twice a second, so a
		// refusal comes 1 to 2.5 s after the guess.
		if took < time.Second {
			t.Errorf("refused after %v, before Dovecot's failure delay", took)
		}
	})
}
