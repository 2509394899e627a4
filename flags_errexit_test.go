package main

import (
	"strings"
	"testing"
)

// -e stops at the first 4xx that leaves the connection open: the lines
// after the refused RCPT are not sent (mailsh ends with QUIT), the exit
// status is 1, and the server delivered nothing.
func TestErrexitTransientSMTP(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--fault", "rcpt~*@grey.example:451")
	script := "EHLO me\nMAIL FROM:<a@b.example>\nRCPT TO:<x@grey.example>\nRCPT TO:<demo@localhost>\nDATA\nSubject: t\n\nbody\n.\nQUIT\n"
	r := mailsh(t, script, isolatedHome(t), "-e", "smtp://"+s.smtp)
	r.must(t, 1, `mailsh: stopped at "451 4.3.0 Local error in processing, try again later (fault rule rcpt~*@grey.example:451)" (--errexit)`)
	want := "EHLO me | MAIL FROM:<a@b.example> | RCPT TO:<x@grey.example> | QUIT"
	if got := strings.Join(clientLines(r.stdout), " | "); got != want {
		t.Fatalf("sent %q, want %q (the session ends at the 451)\n%s", got, want, r.stdout)
	}
	if !strings.Contains(r.stdout, "(fault rule rcpt~*@grey.example:451)\nC: QUIT\nS: 221 ") {
		t.Errorf("the 451 is not the last exchange before QUIT:\n%s", r.stdout)
	}
	s.waitStderr(t, "smtp#1 closed after ")
	if !strings.Contains(s.stderr.String(), ", 0 message(s)") {
		t.Errorf("the server received a message:\n%s", s.stderr.String())
	}
}

// -e stops at an IMAP NO (a wrong password) and at a BAD (a malformed
// command) that leave the connection open: the next line is not sent and
// the exit status is 1. Without -e the same script carries on.
func TestErrexitIMAP(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--user", "vmc:vmc-pw", "--auth-failure-delay", "1ms")
	tests := []struct {
		name, first, stopped string
	}{
		{"NO", "LOGIN vmc wrong-pw", `mailsh: stopped at "a1 NO [AUTHENTICATIONFAILED] `},
		{"BAD", "SELECT", `mailsh: stopped at "a1 BAD `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := tt.first + "\nCAPABILITY\nLOGOUT\n"
			r := mailsh(t, script, isolatedHome(t), "-e", "imap://"+s.imap)
			r.must(t, 1, tt.stopped, "S: a2 OK LOGOUT completed")
			sent := clientLines(r.stdout)
			if len(sent) != 2 || !strings.HasPrefix(sent[0], "a1 "+strings.Fields(tt.first)[0]) || sent[1] != "a2 LOGOUT" {
				t.Fatalf("sent %q, want the session to end at the %s\n%s", sent, tt.name, r.stdout)
			}
			mailsh(t, script, isolatedHome(t), "imap://"+s.imap).must(t, 0, "S: a1 "+tt.name+" ", "C: a2 CAPABILITY", "S: a2 OK CAPABILITY completed")
		})
	}
}
