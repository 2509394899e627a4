package main

import (
	"testing"
)

// --user NAME and the user in the URL (pop3://vmc@host) name the account
// :auth logs in as, in script mode with MAILSH_PASSWORD: POP3's USER
// carries it, SMTP's AUTH PLAIN and IMAP's AUTHENTICATE too, and the
// server logs in that account.
func TestUserFlagAndURL(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "vmc:vmc-pw", "--user", "ana:ana-pw")
	tests := []struct {
		name   string
		input  string
		pw     string
		args   []string
		output []string
		log    string
	}{
		{"pop3 --user", ":auth\nSTAT\nQUIT\n", "vmc-pw", []string{"--user", "vmc", "pop3://" + s.pop3},
			[]string{"C: USER vmc\n", "S: +OK Logged in as vmc:", "S: +OK 0 0"}, "USER/PASS: logged in as vmc "},
		{"pop3 URL user", ":auth\nSTAT\nQUIT\n", "ana-pw", []string{"pop3://ana@" + s.pop3},
			[]string{"C: USER ana\n", "S: +OK Logged in as ana:", "S: +OK 0 0"}, "USER/PASS: logged in as ana "},
		{"smtp --user", "EHLO me\n:auth PLAIN\nQUIT\n", "vmc-pw", []string{"smtp://" + s.smtp, "--user", "vmc"},
			[]string{"C: AUTH PLAIN [redacted user=vmc]", "S: 235 2.7.0 Authentication succeeded"}, "AUTH PLAIN: logged in as vmc "},
		{"--user wins over the URL", ":auth\nLOGOUT\n", "vmc-pw", []string{"--user", "vmc", "imap://ana@" + s.imap},
			[]string{"C: a1 AUTHENTICATE PLAIN [redacted user=vmc]", "S: a1 OK "}, "logged in as vmc without TLS"},
		{"imap URL user", ":auth\nLOGOUT\n", "ana-pw", []string{"imap://ana@" + s.imap},
			[]string{"C: a1 AUTHENTICATE PLAIN [redacted user=ana]", "S: a1 OK "}, "logged in as ana without TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := append(isolatedHome(t), "MAILSH_PASSWORD="+tt.pw)
			mailsh(t, tt.input, env, tt.args...).must(t, 0, tt.output...)
			s.waitStderr(t, tt.log)
		})
	}
}
