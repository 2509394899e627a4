package pop3

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// pop3.ext=KEYWORD keeps advertising the extension in CAPA but refuses
// every use of it, naming the rule.
func TestPOP3ExtFault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kw, capa, login, use string
	}{
		{"STLS", "STLS", "", "STLS"},
		{"USER", "USER", "", "USER demo"},
		{"SASL", "SASL *", "", "AUTH PLAIN"},
		{"TOP", "TOP", "C: USER demo\nS: +OK *\nC: PASS secret\nS: +OK *\n", "TOP 1 0"},
		{"UIDL", "UIDL", "C: USER demo\nS: +OK *\nC: PASS secret\nS: +OK *\n", "UIDL"},
	} {
		t.Run(tc.kw, func(t *testing.T) {
			t.Parallel()
			rule := "pop3.ext=" + tc.kw
			ts := startServer(t, func(c *loopback.Config) {
				f, err := loopback.ParseFaults([]string{rule}, faultDialects...)
				if err != nil {
					t.Fatal(err)
				}
				c.Faults = f
			})
			servertest.Put(t, ts, "demo", "1000000000.M1P1.host,S=20,W=23", "Subject: x\n\nbody\n")
			c := servertest.Dial(t, ts.Addrs[Service])
			c.Line() // greeting
			c.Send("CAPA\r\n")
			c.Line() // +OK
			found := false
			for l := c.Line(); l != "."; l = c.Line() {
				found = found || loopback.GlobMatch(tc.capa, l)
			}
			if !found {
				t.Errorf("CAPA no longer lists %s", tc.capa)
			}
			c.Converse(nil, tc.login+`
C: `+tc.use+`
S: -ERR `+tc.kw+` is advertised but does not work here (fault rule `+rule+`)
C: QUIT
S: +OK *`)
		})
	}
}
