package peertest

import (
	"fmt"
	"strings"
	"testing"
)

// StartPostfixDelivering starts a private Postfix, as StartPostfix does
// (without SASL), that also takes mail for domain and delivers it: mail
// to NAME@domain, for each NAME of users, is delivered by Postfix's
// virtual agent into the Maildir d.MailRoot/NAME/, owned by the user
// Dovecot reads mail as, so that Dovecot serves it over IMAP and POP3.
// Other addresses at domain are refused at RCPT (550 User unknown);
// other domains are not relayed.
//
// The queue manager retries a deferred delivery after a second, not
// Postfix's default of minutes: a test waits only seconds.
func StartPostfixDelivering(t testing.TB, d *Dovecot, domain string, users ...string) *Postfix {
	t.Helper()
	uid, gid := d.Owner()
	var maps []string
	for _, u := range users {
		// A trailing slash makes the mailbox a Maildir.
		maps = append(maps, u+"@"+domain+"="+u+"/")
	}
	main := fmt.Sprintf(`virtual_mailbox_domains = %s
virtual_mailbox_base = %s
virtual_mailbox_maps = inline:{ %s }
virtual_uid_maps = static:%d
virtual_gid_maps = static:%d
virtual_minimum_uid = 1
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
`, domain, d.MailRoot, strings.Join(maps, ", "), uid, gid)
	// The services a message needs on its way from smtpd through the
	// queue to the virtual agent (Debian's master.cf.dist, chroot n).
	master := `pickup unix n - n 60 1 pickup
qmgr unix n - n 300 1 qmgr
virtual unix - n n - - virtual
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
error unix - - n - - error
retry unix - - n - - error
showq unix n - n - - showq
`
	return startPostfix(t, nil, main, master)
}
