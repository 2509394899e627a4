package peertest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Postfix is a private instance of the full Postfix smtpd (Debian's
// postfix package), with its configuration, queue and data under a
// temporary directory. Its master runs in the foreground as the test's
// child; /etc/postfix is never read, so it works with Debian's "No
// configuration" answer, and beside any Postfix the machine runs.
type Postfix struct {
	// Addr is plain SMTP with AUTH PLAIN and LOGIN through Dovecot SASL
	// (when SASL is true), STARTTLS offered but not required.
	Addr string
	// SubmissionAddr requires STARTTLS before mail
	// (smtpd_tls_security_level = encrypt), as on a submission port.
	SubmissionAddr string
	// StrictAddr hangs up with 421 after two errors
	// (smtpd_hard_error_limit = 2).
	StrictAddr string
	// SASL says whether AUTH is offered on Addr: it needs Dovecot.
	SASL bool
	// Users are the SASL accounts, name to password.
	Users map[string]string
	Cert  *Cert
	Dir   string
	proc  *exec.Cmd
	out   *syncBuffer
}

// StartPostfix starts a private Postfix. It needs root: Postfix's master
// runs as root and hands its daemons to the postfix user (mail_owner).
// AUTH is configured with Dovecot SASL when Dovecot is installed, with
// users; otherwise SASL is false and AUTH is not offered.
func StartPostfix(t testing.TB, users map[string]string) *Postfix {
	t.Helper()
	return startPostfix(t, users, "", "")
}

// startPostfix starts a private Postfix whose main.cf and master.cf have
// moreMain and moreMaster added to what StartPostfix configures.
func startPostfix(t testing.TB, users map[string]string, moreMain, moreMaster string) *Postfix {
	t.Helper()
	Need(t, "postfix", "postfix", "/usr/sbin/postfix")
	master := Need(t, "postfix's master daemon", "/usr/lib/postfix/sbin/master", "/usr/libexec/postfix/master")
	if os.Getuid() != 0 {
		Missing(t, "a private Postfix needs root (its master runs as root)")
	}
	if _, err := user.Lookup("postfix"); err != nil {
		Missing(t, "there is no postfix user to run Postfix's daemons")
	}
	// Postfix's daemons run as postfix: the directory must be reachable,
	// so not under t.TempDir's private parent.
	dir, err := os.MkdirTemp("", "mailsh-postfix")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	p := &Postfix{Dir: dir, Addr: FreeAddr(t), SubmissionAddr: FreeAddr(t), StrictAddr: FreeAddr(t),
		Users: users, Cert: NewCert(t, 24*time.Hour)}
	conf, data := filepath.Join(dir, "conf"), filepath.Join(dir, "data")
	for _, d := range []string{conf, data, filepath.Join(dir, "queue")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := user.Lookup("postfix")
	var uid, gid int
	fmt.Sscan(u.Uid, &uid)
	fmt.Sscan(u.Gid, &gid)
	os.Chown(data, uid, gid)
	// The key must be readable by smtpd, which loads it as postfix.
	cert, key := filepath.Join(conf, "cert.pem"), filepath.Join(conf, "key.pem")
	copyFile(t, p.Cert.CertFile, cert)
	copyFile(t, p.Cert.KeyFile, key)
	os.Chown(key, uid, gid)

	sasl := ""
	if len(users) > 0 {
		if sock, ok := startDovecotAuth(t, dir, users); ok {
			p.SASL = true
			sasl = "smtpd_sasl_auth_enable = yes\nsmtpd_sasl_type = dovecot\nsmtpd_sasl_path = " + sock + "\n"
		}
	}
	main := fmt.Sprintf(`compatibility_level = 3.6
config_directory = %[2]s
queue_directory = %[1]s/queue
data_directory = %[3]s
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = /dev/stdout
smtpd_banner = $myhostname ESMTP
smtpd_tls_cert_file = %[4]s
smtpd_tls_key_file = %[5]s
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
%[6]s%[7]s`, dir, conf, data, cert, key, sasl, moreMain)
	// chroot n everywhere: nothing is copied into a jail.
	masterCf := fmt.Sprintf(`%s inet n - n - - smtpd
%s inet n - n - - smtpd -o smtpd_tls_security_level=encrypt
%s inet n - n - - smtpd -o smtpd_hard_error_limit=2
postlog unix-dgram n - n - 1 postlogd
cleanup unix n - n - 0 cleanup
rewrite unix - - n - - trivial-rewrite
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
tlsmgr unix - - n 1000? 1 tlsmgr
%s`, p.Addr, p.SubmissionAddr, p.StrictAddr, moreMaster)
	os.WriteFile(filepath.Join(conf, "main.cf"), []byte(main), 0o644)
	os.WriteFile(filepath.Join(conf, "master.cf"), []byte(masterCf), 0o644)
	// "postfix check" makes the queue's directories with their owners.
	if out, err := exec.Command("postfix", "-c", conf, "check").CombinedOutput(); err != nil {
		t.Fatalf("postfix -c %s check: %v\n%s", conf, err, out)
	}
	p.out = &syncBuffer{}
	p.proc = exec.Command(master, "-c", conf, "-d")
	p.proc.Stdout, p.proc.Stderr = p.out, p.out
	// Its own process group, so that a daemon left behind can be found.
	ownGroup(p.proc)
	if err := p.proc.Start(); err != nil {
		t.Fatalf("starting postfix's master: %v", err)
	}
	exited := make(chan struct{})
	go func() { p.proc.Wait(); close(exited) }()
	t.Cleanup(func() {
		p.stop(exited)
		if t.Failed() {
			t.Logf("postfix's log:\n%s", p.out.String())
		}
	})
	for _, a := range []string{p.Addr, p.SubmissionAddr, p.StrictAddr} {
		waitListening(t, a, exited, p.out)
	}
	return p
}

// stop is "postfix stop": SIGTERM to the master, which stops its
// daemons; after 5 seconds, SIGKILL to the whole process group.
func (p *Postfix) stop(exited chan struct{}) {
	terminate(p.proc)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	killGroup(p.proc)
	<-exited
}

// Log returns what Postfix logged so far.
func (p *Postfix) Log() string { return p.out.String() }

func waitListening(t testing.TB, addr string, exited chan struct{}, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("postfix's master exited\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("nothing listens on %s after 10s\n%s", addr, out.String())
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// startDovecotAuth starts Dovecot with no protocols, only its
// authentication service, for Postfix's smtpd_sasl_type = dovecot. It
// returns the socket's path, or false when Dovecot is not installed.
func startDovecotAuth(t testing.TB, dir string, users map[string]string) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/dovecot"); err != nil {
			return "", false
		}
	}
	d := filepath.Join(dir, "dovecot")
	os.MkdirAll(d, 0o755)
	var pw strings.Builder
	for name, pass := range users {
		fmt.Fprintf(&pw, "%s:{PLAIN}%s::::::\n", name, pass)
	}
	os.WriteFile(filepath.Join(d, "passwd"), []byte(pw.String()), 0o644)
	sock := filepath.Join(d, "auth-postfix")
	// auth_failure_delay is Dovecot's default, written out: the tests
	// count on it.
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols =
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 2 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=/nonexistent
}
service auth {
  unix_listener %[2]s {
    mode = 0666
  }
}
service anvil {
  chroot =
}
`, d, sock)
	confFile := filepath.Join(d, "dovecot.conf")
	os.WriteFile(confFile, []byte(conf), 0o644)
	proc := Start(t, bin, "-F", "-c", confFile)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) || proc.Cmd.ProcessState != nil {
			log, _ := os.ReadFile(filepath.Join(d, "dovecot.log"))
			t.Fatalf("dovecot's auth socket %s did not appear\n%s\n%s", sock, proc.Output(), log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return sock, true
}
