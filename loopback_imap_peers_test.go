package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailsh/mailsh/internal/peertest"
)

// imapDial logs in over IMAP without TLS (both servers allow it from this
// machine), with a deadline on the whole conversation.
func imapDial(t *testing.T, addr, user, pass string) *imapclient.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	c := imapclient.New(conn, nil)
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatalf("LOGIN at %s: %v", addr, err)
	}
	return c
}

// imapMessage is what a server says of one message.
type imapMessage struct {
	uid   imap.UID
	flags string // the system flags, sorted, space-separated; no \Recent
	size  int64
	body  []byte
}

// imapMessages selects a mailbox and fetches every message, keyed by
// Subject.
func imapMessages(t *testing.T, c *imapclient.Client, mailbox string) map[string]imapMessage {
	t.Helper()
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		t.Fatalf("SELECT %s: %v", mailbox, err)
	}
	got := map[string]imapMessage{}
	if sel.NumMessages == 0 {
		return got
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
	if err != nil {
		t.Fatalf("FETCH in %s: %v", mailbox, err)
	}
	for _, m := range msgs {
		var flags []string
		for _, f := range m.Flags {
			if !strings.EqualFold(string(f), `\Recent`) {
				flags = append(flags, string(f))
			}
		}
		slices.Sort(flags)
		got[m.Envelope.Subject] = imapMessage{m.UID, strings.Join(flags, " "), m.RFC822Size, m.FindBodySection(body)}
	}
	return got
}

// compareMessages says where two servers' views of a mailbox differ.
func compareMessages(t *testing.T, what string, ours, theirs map[string]imapMessage) {
	t.Helper()
	if len(ours) != len(theirs) {
		t.Errorf("%s: the built-in server has %d messages, Dovecot %d", what, len(ours), len(theirs))
	}
	for subj, o := range ours {
		d, ok := theirs[subj]
		switch {
		case !ok:
			t.Errorf("%s: Dovecot has no %q", what, subj)
		case o.flags != d.flags:
			t.Errorf("%s: %q has flags (%s) at the built-in server, (%s) at Dovecot", what, subj, o.flags, d.flags)
		case o.size != d.size || string(o.body) != string(d.body):
			t.Errorf("%s: %q is %d octets at the built-in server, %d at Dovecot; same text: %v", what, subj, o.size, d.size, string(o.body) == string(d.body))
		}
	}
}

// Dovecot's IMAP server, pointed at the Maildir the built-in server
// wrote, sees the same messages with the same flags (each of the five
// set by an IMAP client, \Deleted without EXPUNGE) and the folder Sent
// with the message APPENDed there; and the other way round, what
// Dovecot changes (a flag set and one cleared, an EXPUNGE, an APPEND) the
// built-in server sees.
func TestLoopbackIMAPDovecot(t *testing.T) {
	t.Parallel()
	peertest.Need(t, "dovecot (dovecot-imapd)", "dovecot", "/usr/sbin/dovecot")
	// Dovecot's mail user must reach the Maildirs: a directory of our
	// own, readable on the way down (t.TempDir's parent is private).
	base, err := os.MkdirTemp("", "mailsh-maildir")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	root := filepath.Join(base, "mail")
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--maildir", root, "--user", "vmc:tanstaaf")
	flags := map[string][]imap.Flag{
		"plain":    nil,
		"seen":     {imap.FlagSeen},
		"flagged":  {imap.FlagFlagged},
		"answered": {imap.FlagAnswered, imap.FlagSeen},
		"deleted":  {imap.FlagDeleted},
		"draft":    {imap.FlagDraft},
	}
	for _, subj := range []string{"plain", "seen", "flagged", "answered", "deleted", "draft"} {
		sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: "+subj+"\r\n\r\nTeste do mail\r\n.dot line\r\n"))
	}

	c := imapDial(t, s.imap, "vmc", "tanstaaf")
	inbox := imapMessages(t, c, "INBOX")
	for subj, fl := range flags {
		if fl == nil {
			continue
		}
		st := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: fl}
		if err := c.Store(imap.UIDSetNum(inbox[subj].uid), st, nil).Close(); err != nil {
			t.Fatalf("STORE %q: %v", subj, err)
		}
	}
	if err := c.Create("Sent", nil).Wait(); err != nil {
		t.Fatalf("CREATE Sent: %v", err)
	}
	imapAppend(t, c, "Sent", "From: vmc@localhost\r\nTo: antunes@ipleiria.pt\r\nSubject: sent\r\n\r\nSent from IMAP\r\n", imap.FlagSeen)
	ours := imapMessages(t, c, "INBOX")
	oursSent := imapMessages(t, c, "Sent")
	c.Logout().Wait()
	for subj, fl := range flags {
		var want []string
		for _, f := range fl {
			want = append(want, string(f))
		}
		slices.Sort(want)
		if got := ours[subj].flags; got != strings.Join(want, " ") {
			t.Errorf("the built-in server says %q has flags (%s), want (%s)", subj, got, strings.Join(want, " "))
		}
	}

	d := peertest.StartDovecotIMAP(t, root, map[string]string{"vmc": "tanstaaf"})
	d.Chown()
	dc := imapDial(t, d.IMAPAddr, "vmc", "tanstaaf")
	boxes, err := dc.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("Dovecot LIST: %v", err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	slices.Sort(names)
	if strings.Join(names, " ") != "INBOX Sent" {
		t.Errorf("Dovecot lists %q, want INBOX and Sent", names)
	}
	compareMessages(t, "INBOX", ours, imapMessages(t, dc, "INBOX"))
	compareMessages(t, "Sent", oursSent, imapMessages(t, dc, "Sent"))

	// Dovecot changes the mailbox; the built-in server, still running,
	// sees it at its next SELECT.
	theirs := imapMessages(t, dc, "INBOX")
	if err := dc.Store(imap.UIDSetNum(theirs["plain"].uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatalf("Dovecot STORE: %v", err)
	}
	if err := dc.Store(imap.UIDSetNum(theirs["answered"].uid), &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatalf("Dovecot STORE: %v", err)
	}
	if err := dc.Expunge().Close(); err != nil {
		t.Fatalf("Dovecot EXPUNGE: %v", err)
	}
	imapAppend(t, dc, "Sent", "From: vmc@localhost\r\nTo: antunes@ipleiria.pt\r\nSubject: sent by dovecot\r\n\r\nSent through Dovecot\r\n", imap.FlagSeen, imap.FlagAnswered)
	theirs = imapMessages(t, dc, "INBOX")
	theirsSent := imapMessages(t, dc, "Sent")
	dc.Logout().Wait()
	if len(theirs) != 5 || theirs["plain"].flags != `\Flagged` || theirs["answered"].flags != `\Answered` || len(theirsSent) != 2 {
		t.Errorf("after Dovecot's changes it has INBOX %v and Sent %v", theirs, theirsSent)
	}
	c = imapDial(t, s.imap, "vmc", "tanstaaf")
	compareMessages(t, "INBOX after Dovecot's changes", imapMessages(t, c, "INBOX"), theirs)
	compareMessages(t, "Sent after Dovecot's APPEND", imapMessages(t, c, "Sent"), theirsSent)
	c.Logout().Wait()
}

// imapAppend appends a message with flags to a mailbox.
func imapAppend(t *testing.T, c *imapclient.Client, mailbox, msg string, flags ...imap.Flag) {
	t.Helper()
	a := c.Append(mailbox, int64(len(msg)), &imap.AppendOptions{Flags: flags})
	if _, err := fmt.Fprint(a, msg); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Wait(); err != nil {
		t.Fatalf("APPEND to %s: %v", mailbox, err)
	}
}

// mbsync (isync) synchronises the whole account, INBOX and Sent, between
// the built-in server (IMAP with STARTTLS, trusting the server's
// certificate) and a local Maildir; after a second sync a new message
// and a flag change made on each side have reached the other.
func TestLoopbackIMAPMbsync(t *testing.T) {
	t.Parallel()
	mbsync := peertest.Need(t, "mbsync (isync)", "mbsync")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	near := filepath.Join(dir, "near")
	os.MkdirAll(home, 0o700)
	os.MkdirAll(near, 0o700)
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", filepath.Join(dir, "Maildir"), "--user", "vmc:tanstaaf")
	// mbsync checks the certificate's DNS names only, not its IP
	// addresses: connect to localhost (which may try ::1 first, refused,
	// before 127.0.0.1).
	_, port, _ := net.SplitHostPort(s.imap)
	for _, subj := range []string{"far one", "far two"} {
		sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: "+subj+"\r\n\r\nTeste do mail\r\n"))
	}
	c := imapDial(t, s.imap, "vmc", "tanstaaf")
	if err := c.Create("Sent", nil).Wait(); err != nil {
		t.Fatalf("CREATE Sent: %v", err)
	}
	imapAppend(t, c, "Sent", "From: vmc@localhost\r\nSubject: far sent\r\n\r\nSent from IMAP\r\n", imap.FlagSeen)

	rc := filepath.Join(dir, "mbsyncrc")
	conf := fmt.Sprintf(`IMAPAccount far
Host %s
Port %s
User vmc
Pass tanstaaf
SSLType STARTTLS
CertificateFile %s

IMAPStore far
Account far

MaildirStore near
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel all
Far :far:
Near :near:
Patterns *
Create Both
Expunge Both
SyncState *
Sync All
`, "localhost", port, s.certFile, near, near)
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	sync := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, mbsync, "-c", rc, "-a")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("mbsync: %v\n%s", err, out)
		}
	}
	sync()
	nearMsgs := maildirMessages(t, filepath.Join(near, "INBOX"))
	if len(nearMsgs) != 2 || nearMsgs["far one"].file == "" || nearMsgs["far two"].file == "" {
		t.Fatalf("after the first sync the local INBOX holds %v", nearMsgs)
	}
	if sent := maildirMessages(t, filepath.Join(near, "Sent")); len(sent) != 1 || sent["far sent"].info != "S" {
		t.Fatalf("after the first sync the local Sent holds %v", sent)
	}

	// A change on each side: a delivery and \Flagged at the server, a new
	// file and a flag letter in the local Maildir.
	sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: far three\r\n\r\nDelivered after the first sync\r\n"))
	inbox := imapMessages(t, c, "INBOX")
	if err := c.Store(imap.UIDSetNum(inbox["far one"].uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatalf("STORE: %v", err)
	}
	local := "From: vmc@localhost\nSubject: near one\n\nWritten into the local Maildir\n"
	if err := os.WriteFile(filepath.Join(near, "INBOX", "new", "1700000000.P1Q1.near"), []byte(local), 0o600); err != nil {
		t.Fatal(err)
	}
	two := nearMsgs["far two"].file
	unique, _, _ := strings.Cut(filepath.Base(two), ":")
	if err := os.Rename(two, filepath.Join(near, "INBOX", "cur", unique+":2,R")); err != nil {
		t.Fatal(err)
	}
	sync()

	inbox = imapMessages(t, c, "INBOX")
	c.Logout().Wait()
	// mbsync adds X-TUID to what it uploads, to find it again.
	m, ok := inbox["near one"]
	if body := tuidRE.ReplaceAllString(string(m.body), ""); !ok || body != strings.ReplaceAll(local, "\n", "\r\n") {
		t.Errorf("the local message reached the server as %q (there: %v)", m.body, ok)
	}
	if f := inbox["far two"].flags; f != `\Answered` {
		t.Errorf("the local R reached the server as (%s), want (\\Answered)", f)
	}
	if f := inbox["far one"].flags; f != `\Flagged` {
		t.Errorf("the server says \\Flagged (set before the sync) is now (%s)", f)
	}
	nearMsgs = maildirMessages(t, filepath.Join(near, "INBOX"))
	if m, ok := nearMsgs["far three"]; !ok || !strings.Contains(m.text, "\nDelivered after the first sync\n") {
		t.Errorf("the server's new message reached the local Maildir as %q (there: %v)", m.text, ok)
	}
	if info := nearMsgs["far one"].info; info != "F" {
		t.Errorf("the server's \\Flagged reached the local Maildir as %q, want F", info)
	}
	if len(inbox) != 4 || len(nearMsgs) != 4 {
		t.Errorf("after the second sync the server holds %d messages, the local Maildir %d, want 4", len(inbox), len(nearMsgs))
	}
}

var tuidRE = regexp.MustCompile(`(?m)^X-TUID: [^\r\n]*\r\n`)

// maildirFile is one message of a Maildir read from disk.
type maildirFile struct {
	file string // its path
	info string // the flag letters after ":2,"
	text string
}

// maildirMessages reads the messages of a Maildir, keyed by Subject.
func maildirMessages(t *testing.T, dir string) map[string]maildirFile {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "new", "*"))
	cur, _ := filepath.Glob(filepath.Join(dir, "cur", "*"))
	return messageFiles(t, append(files, cur...))
}

// messageFiles reads messages from files, keyed by Subject.
func messageFiles(t *testing.T, files []string) map[string]maildirFile {
	t.Helper()
	got := map[string]maildirFile{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		subj := ""
		for _, l := range strings.Split(text, "\n") {
			if l == "" {
				break
			}
			if v, ok := strings.CutPrefix(l, "Subject: "); ok {
				subj = v
			}
		}
		_, info, _ := strings.Cut(filepath.Base(f), ":2,")
		got[subj] = maildirFile{f, info, text}
	}
	return got
}

// fetchmail fetches over IMAP with STARTTLS (checking the certificate)
// into an MDA that writes a file: each message arrives as the Maildir
// holds it, octet for octet (both with LF line endings); with "keep" it is marked \Seen and a second
// run fetches only what is new; without "keep" it is deleted and expunged.
func TestLoopbackIMAPFetchmail(t *testing.T) {
	t.Parallel()
	fetchmail := peertest.Need(t, "fetchmail")
	dir := t.TempDir()
	root := filepath.Join(dir, "Maildir")
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, "--maildir", root, "--user", "vmc:tanstaaf")
	host, port, _ := net.SplitHostPort(s.imap)
	deliver := func(subj string) {
		t.Helper()
		sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Subject: "+subj+"\r\n\r\nTeste do mail\r\n.dot line\r\n"))
	}
	run := func(name, keep string) map[string]maildirFile {
		t.Helper()
		out := filepath.Join(dir, name)
		os.Mkdir(out, 0o700)
		rc := filepath.Join(dir, name+".rc")
		conf := fmt.Sprintf(`set no syslog
set invisible
poll %s protocol imap port %s auth password
  user "vmc" there with password "tanstaaf" is "vmc" here
  %s no rewrite
  sslproto 'tls1.2+' sslcertck sslcertfile "%s" sslcommonname localhost
  mda "cat > %s/msg.$$"
`, host, port, keep, s.certFile, out)
		if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, fetchmail, "--nodetach", "--nosyslog", "-f", rc, "--pidfile", filepath.Join(dir, "fetchmail.pid"))
		cmd.Env = append(os.Environ(), "FETCHMAILHOME="+dir, "HOME="+dir)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("fetchmail (%s): %v\n%s", name, err, b)
		}
		files, _ := filepath.Glob(filepath.Join(out, "*"))
		return messageFiles(t, files)
	}
	stored := func() map[string]maildirFile {
		t.Helper()
		return maildirMessages(t, filepath.Join(root, "vmc"))
	}
	same := func(what string, got, want map[string]maildirFile) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: fetchmail wrote %d messages, want %d", what, len(got), len(want))
		}
		for subj, w := range want {
			if g, ok := got[subj]; !ok || g.text != w.text {
				t.Errorf("%s: fetchmail wrote %q as\n%s\nwant\n%s", what, subj, g.text, w.text)
			}
		}
	}

	deliver("one")
	deliver("two")
	before := stored()
	same("keep", run("keep", "keep"), before)
	c := imapDial(t, s.imap, "vmc", "tanstaaf")
	for subj, m := range imapMessages(t, c, "INBOX") {
		if m.flags != `\Seen` {
			t.Errorf("after fetchmail with keep, %q has flags (%s), want (\\Seen)", subj, m.flags)
		}
	}
	c.Logout().Wait()

	deliver("three")
	all := stored()
	same("keep, again", run("again", "keep"), map[string]maildirFile{"three": all["three"]})
	same("no keep", run("nokeep", "no keep fetchall"), all)
	if left := stored(); len(left) != 0 {
		t.Errorf("after fetchmail without keep the Maildir still holds %v", left)
	}
}
