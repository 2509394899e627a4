package imap

import (
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// IMAP points: their actions are NO and BAD (with a response code),
// drop and delay; imap.any applies at every IMAP point, and no SMTP "any"
// rule reaches IMAP.
func TestIMAPFaultRules(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"imap.fetch:451", "imap.fetch:-ERR", "imap.nosuch:NO", "imap.fetch:NO [UNAVAILABLE"} {
		if _, err := loopback.ParseFaults([]string{bad}, smtpserver.Faults, Faults); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	f, err := loopback.ParseFaults([]string{"imap.any:delay=2s", "any:delay=1h", "imap.fetch:BAD [CLIENTBUG] no", "imap.login:drop"}, smtpserver.Faults, Faults)
	if err != nil {
		t.Fatal(err)
	}
	var n loopback.FaultCounts
	if o := checkFaults(f, "imap.fetch", "1:*", &n); o.Delay != 2*time.Second || o.Reply == nil || o.Reply.Status != "BAD" || o.Reply.Code != "CLIENTBUG" || o.Reply.Text != "no" {
		t.Errorf("imap.fetch: %+v", o)
	}
	if o := checkFaults(f, "imap.select", "INBOX", &n); o.Delay != 2*time.Second || o.Reply != nil || o.Drop {
		t.Errorf("imap.select under imap.any: %+v", o)
	}
	if o := checkFaults(f, "imap.login", "demo", &n); !o.Drop || o.Delay != 2*time.Second {
		t.Errorf("imap.login: %+v", o)
	}
}
