package peertest

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Dovecot is a real POP3 server (Debian's dovecot-pop3d), and IMAP server
// (dovecot-imapd) when started with StartDovecotIMAP, serving Maildirs
// under a test's temporary directory.
type Dovecot struct {
	Addr      string // POP3 with STLS
	POP3SAddr string // implicit TLS
	IMAPAddr  string // IMAP with STARTTLS; empty unless StartDovecotIMAP
	IMAPSAddr string // IMAP with implicit TLS; empty unless StartDovecotIMAP
	Cert      *Cert
	// MailRoot holds one Maildir per user: MailRoot/NAME/{cur,new,tmp}.
	MailRoot string
	uid, gid int
	proc     *Process
}

// StartDovecot starts Dovecot for POP3 with users and their plain-text
// passwords (so that APOP and CRAM-MD5 work too). If mailRoot is empty a
// fresh directory is used; otherwise Dovecot serves the Maildirs there.
func StartDovecot(t testing.TB, mailRoot string, users map[string]string) *Dovecot {
	t.Helper()
	return startDovecot(t, mailRoot, users, false)
}

// StartDovecotIMAP is StartDovecot with IMAP too, on IMAPAddr (Maildir++
// folders, Dovecot's default layout for maildir).
func StartDovecotIMAP(t testing.TB, mailRoot string, users map[string]string) *Dovecot {
	t.Helper()
	return startDovecot(t, mailRoot, users, true)
}

func startDovecot(t testing.TB, mailRoot string, users map[string]string, imap bool) *Dovecot {
	t.Helper()
	bin := Need(t, "dovecot (dovecot-pop3d)", "dovecot", "/usr/sbin/dovecot")
	if _, err := os.Stat("/usr/lib/dovecot/pop3"); err != nil {
		Missing(t, "dovecot-pop3d is not installed (no /usr/lib/dovecot/pop3)")
	}
	if _, err := os.Stat("/usr/lib/dovecot/imap"); imap && err != nil {
		Missing(t, "dovecot-imapd is not installed (no /usr/lib/dovecot/imap)")
	}
	// Dovecot's own users must reach the files: t.TempDir's parent is
	// private, so make a directory of our own.
	dir, err := os.MkdirTemp("", "mailsh-dovecot")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	if mailRoot == "" {
		mailRoot = filepath.Join(dir, "mail")
	}
	d := &Dovecot{Addr: FreeAddr(t), POP3SAddr: FreeAddr(t), Cert: NewCert(t, 24*3600e9), MailRoot: mailRoot}
	protocols, imapPort, imapsPort := "pop3", "0", "0"
	if imap {
		d.IMAPAddr, d.IMAPSAddr = FreeAddr(t), FreeAddr(t)
		protocols = "pop3 imap"
		_, imapPort, _ = strings.Cut(d.IMAPAddr, ":")
		_, imapsPort, _ = strings.Cut(d.IMAPSAddr, ":")
	}
	d.uid, d.gid = os.Getuid(), os.Getgid()
	loginUser := ""
	if d.uid == 0 {
		// Dovecot will not run mail processes as root: use nobody, and
		// hand it the Maildirs.
		d.uid, d.gid = 65534, 65534
		if u, err := user.Lookup("nobody"); err == nil {
			d.uid, _ = strconv.Atoi(u.Uid)
			d.gid, _ = strconv.Atoi(u.Gid)
		}
	} else {
		u, _ := user.Current()
		loginUser = u.Username
	}
	var pw strings.Builder
	for name, pass := range users {
		fmt.Fprintf(&pw, "%s:{PLAIN}%s::::::\n", name, pass)
		for _, sub := range []string{"cur", "new", "tmp"} {
			os.MkdirAll(filepath.Join(mailRoot, name, sub), 0o700)
		}
	}
	os.WriteFile(filepath.Join(dir, "passwd"), []byte(pw.String()), 0o644)
	d.chown()
	_, port, _ := strings.Cut(d.Addr, ":")
	_, sport, _ := strings.Cut(d.POP3SAddr, ":")
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = %[9]s
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[2]s
ssl_key = <%[3]s
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
mail_location = maildir:%[4]s/%%u
first_valid_uid = 1
pop3_uidl_format = %%08Xu%%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[5]d gid=%[6]d home=%[1]s/home/%%u
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = %[7]s
  }
  inet_listener pop3s {
    port = %[8]s
    ssl = yes
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = %[10]s
  }
  inet_listener imaps {
    port = %[11]s
    ssl = yes
  }
}
service anvil {
  chroot =
}
`, dir, d.Cert.CertFile, d.Cert.KeyFile, mailRoot, d.uid, d.gid, port, sport, protocols, imapPort, imapsPort)
	if loginUser != "" {
		conf += fmt.Sprintf("default_login_user = %[1]s\ndefault_internal_user = %[1]s\n", loginUser)
	}
	confFile := filepath.Join(dir, "dovecot.conf")
	if err = os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	d.proc = Start(t, bin, "-F", "-c", confFile)
	WaitListening(t, d.Addr, d.proc)
	WaitListening(t, d.POP3SAddr, d.proc)
	if imap {
		WaitListening(t, d.IMAPAddr, d.proc)
		WaitListening(t, d.IMAPSAddr, d.proc)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot.log:\n%s", b)
		}
	})
	return d
}

// Deliver writes a message into a user's Maildir new/ directory.
func (d *Dovecot) Deliver(t testing.TB, user, name string, msg []byte) {
	t.Helper()
	p := filepath.Join(d.MailRoot, user, "new", name)
	if err := os.WriteFile(p, msg, 0o600); err != nil {
		t.Fatal(err)
	}
	d.chown()
}

// chown gives the Maildirs to the user Dovecot runs mail processes as.
func (d *Dovecot) chown() {
	if os.Getuid() != 0 {
		return
	}
	filepath.Walk(d.MailRoot, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			os.Lchown(p, d.uid, d.gid)
		}
		return nil
	})
}

// Chown hands files written into the Maildirs by someone else (the
// loopback server) to Dovecot's mail user.
func (d *Dovecot) Chown() { d.chown() }
