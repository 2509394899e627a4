package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
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
