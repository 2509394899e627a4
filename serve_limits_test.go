package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// Each limit flag of mailsh serve, set low, takes effect over a socket:
// the client meets the limit with the reply the README gives.
func TestServeLimitFlags(t *testing.T) {
	t.Parallel()
	plain := func(user, pass string) string {
		return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	}
	// send says EHLO and sends body as a message to demo@localhost.
	send := func(w *wire, body string) {
		w.ehlo()
		w.converse(`
			C: MAIL FROM:<vmc@localhost>
			S: 250 2.1.0 *
			C: RCPT TO:<demo@localhost>
			S: 250 2.1.5 *
			C: DATA
			S: 354 *`)
		w.send(body + "\r\n.")
	}
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, s *served)
	}{
		{"max-size", []string{"--max-size", "2K"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			if ehlo := strings.Join(w.ehlo(), "\n"); !strings.Contains(ehlo, "250-SIZE 2048\n") {
				t.Errorf("EHLO does not advertise SIZE 2048:\n%s", ehlo)
			}
			w.converse(`
				C: MAIL FROM:<vmc@localhost> SIZE=2049
				S: 552 5.3.4 Message size exceeds fixed maximum message size of 2048 octets`)
			w = dialWire(t, s.smtp)
			send(w, "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("x", 78)+"\r\n", 30))
			w.converse(`S: 552 5.3.4 Message too big: more than 2048 octets; nothing was delivered`)
		}},
		{"max-recipients", []string{"--max-recipients", "2"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			w.ehlo()
			w.converse(`
				C: MAIL FROM:<vmc@localhost>
				S: 250 2.1.0 *
				C: RCPT TO:<demo@localhost>
				S: 250 2.1.5 *
				C: RCPT TO:<postmaster@localhost>
				S: 250 2.1.5 *
				C: RCPT TO:<postmaster>
				S: 452 4.5.3 Too many recipients: at most 2 per message; send the rest in another message`)
		}},
		{"max-connections", []string{"--max-connections", "2"}, func(t *testing.T, s *served) {
			for _, l := range []struct{ addr, greeting, refusal string }{
				{s.smtp, "220 *", "421 4.7.0 localhost Too many connections (at most 2 at once), try again later"},
				{s.pop3, "+OK *", "-ERR [SYS/TEMP] Too many connections (at most 2 at once), try again later"},
				{s.imap, "* OK *", "* BYE [UNAVAILABLE] too many connections (at most 2), try again later"},
			} {
				dialWire(t, l.addr).converse("S: " + l.greeting)
				dialWire(t, l.addr).converse("S: " + l.greeting)
				if got := dialWire(t, l.addr).closed(); got != l.refusal {
					t.Errorf("third connection to %s: %q, want %q", l.addr, got, l.refusal)
				}
			}
		}},
		{"max-client-connections", []string{"--max-client-connections", "1"}, func(t *testing.T, s *served) {
			for _, l := range []struct{ addr, greeting, refusal string }{
				{s.smtp, "220 *", "421 4.7.0 localhost Too many connections from 127.0.0.1 (at most 1 at once from one address), try again later"},
				{s.pop3, "+OK *", "-ERR [SYS/TEMP] Too many connections from 127.0.0.1 (at most 1 at once from one address), try again later"},
			} {
				dialWire(t, l.addr).converse("S: " + l.greeting)
				if got := dialWire(t, l.addr).closed(); got != l.refusal {
					t.Errorf("second connection to %s: %q, want %q", l.addr, got, l.refusal)
				}
			}
		}},
		{"max-line-length", []string{"--max-line-length", "100"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			send(w, "Subject: long\r\n\r\n"+strings.Repeat("y", 99))
			w.converse(`S: 500 5.5.2 Line too long: the message has a line longer than 100 octets with CRLF *`)
		}},
		{"idle-timeout", []string{"--idle-timeout", "300ms"}, func(t *testing.T, s *served) {
			if got := dialWire(t, s.smtp).closed(); got != "421 4.4.2 localhost Idle for more than 300ms, closing the connection" {
				t.Errorf("silent SMTP client: %q", got)
			}
		}},
		{"stress-idle-timeout", []string{"--max-connections", "5", "--stress-idle-timeout", "300ms"}, func(t *testing.T, s *served) {
			// Four sessions of five are 80%: each gets the short timeout.
			var ws []*wire
			for range 4 {
				w := dialWire(t, s.smtp)
				w.converse("S: 220 *")
				ws = append(ws, w)
			}
			for i, w := range ws {
				if got := w.closed(); got != "421 4.4.2 localhost Idle for more than 300ms, closing the connection" {
					t.Errorf("session %d: %q", i+1, got)
				}
			}
		}},
		{"line-timeout", []string{"--line-timeout", "300ms"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			w.converse("S: 220 *")
			w.nc.Write([]byte("NOO"))
			if got := w.closed(); got != "421 4.4.2 localhost A command line took more than 300ms to arrive whole, closing the connection" {
				t.Errorf("half a command line: %q", got)
			}
		}},
		{"max-session", []string{"--max-session", "500ms"}, func(t *testing.T, s *served) {
			if got := dialWire(t, s.smtp).closed(); got != "421 4.4.2 localhost Session longer than 500ms, closing the connection; connect again" {
				t.Errorf("session: %q", got)
			}
		}},
		{"tls-handshake-timeout", []string{"--tls-handshake-timeout", "300ms"}, func(t *testing.T, s *served) {
			// No ClientHello on the implicit-TLS port: closed without a word.
			if got := dialWire(t, s.smtps).closed(); got != "" {
				t.Errorf("before a handshake: %q", got)
			}
		}},
		{"auth-failure-delay", []string{"--auth-failure-delay", "200ms", "--max-auth-failure-delay", "300ms"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			w.ehlo()
			for _, want := range []time.Duration{200 * time.Millisecond, 300 * time.Millisecond} {
				start := time.Now()
				w.converse("C: AUTH PLAIN " + plain("demo", "wrong") + "\nS: 535 5.7.8 *")
				if took := time.Since(start); took < want {
					t.Errorf("a failed login answered after %s, want %s", took, want)
				}
			}
			s.stop(t)
			log := s.stderr.String()
			for _, want := range []string{"AUTH PLAIN: failed (1), answered after 200ms", "AUTH PLAIN: failed (2), answered after 300ms"} {
				if !strings.Contains(log, want) {
					t.Errorf("log lacks %q", want)
				}
			}
		}},
		{"max-auth-failures", []string{"--max-auth-failures", "1", "--auth-failure-delay", "1ms"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			w.ehlo()
			w.send("AUTH PLAIN " + plain("demo", "wrong"))
			if got := w.closed(); got != "421 4.7.0 Too many failed authentication attempts, closing the connection" {
				t.Errorf("SMTP: %q", got)
			}
			w = dialWire(t, s.pop3)
			w.converse("S: +OK *\nC: USER demo\nS: +OK *\nC: PASS wrong")
			if got := w.closed(); got != "-ERR [AUTH] Too many failed logins, closing the connection" {
				t.Errorf("POP3: %q", got)
			}
		}},
		{"require-tls", []string{"--require-tls"}, func(t *testing.T, s *served) {
			w := dialWire(t, s.smtp)
			w.ehlo()
			w.converse(`
				C: AUTH PLAIN ` + plain("demo", s.password) + `
				S: 538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first
				C: STARTTLS
				S: 220 2.0.0 Ready to start TLS`)
			w.startTLS(s.certFile)
			if ehlo := strings.Join(w.hello(), "\n"); !strings.Contains(ehlo, "250-AUTH PLAIN LOGIN CRAM-MD5\n") {
				t.Errorf("EHLO under TLS offers no AUTH:\n%s", ehlo)
			}
			w.converse(`
				C: AUTH PLAIN ` + plain("demo", s.password) + `
				S: 235 2.7.0 Authentication succeeded`)
			w = dialWire(t, s.pop3)
			w.converse(`
				S: +OK *
				C: USER demo
				S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first
				C: APOP demo ` + strings.Repeat("0", 32) + `
				S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first
				C: AUTH PLAIN ` + plain("demo", s.password) + `
				S: -ERR [AUTH] Logging in without TLS is refused here: use STLS first`)
			w = dialWire(t, s.imap)
			w.converse(`
				S: * OK *LOGINDISABLED*
				C: a LOGIN demo ` + s.password + `
				S: a NO *`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, startServe(t, isolatedHome(t), tt.args...))
		})
	}
}
