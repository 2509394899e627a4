package imap_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestFolders(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "one", "1\r\n")
	ts.send(t, "two", "2\r\n")
	c := ts.login(t, nil)
	for _, name := range []string{"Sent", "Trash", "Lists.Go"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatalf("CREATE %s: %v", name, err)
		}
	}
	if err := c.Create("Sent", nil).Wait(); err == nil || !strings.Contains(err.Error(), "ALREADYEXISTS") {
		t.Errorf("CREATE Sent again: %v", err)
	}
	for _, d := range []string{".Sent/cur", ".Trash/new", ".Lists.Go/tmp", ".Sent/maildirfolder"} {
		if _, err := os.Stat(filepath.Join(ts.maildir(), d)); err != nil {
			t.Errorf("Maildir++ layout: %v", err)
		}
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox)
		if l.Delim != '.' {
			t.Errorf("delimiter %q", l.Delim)
		}
	}
	if want := []string{"INBOX", "Lists.Go", "Sent", "Trash"}; !slices.Equal(names, want) {
		t.Errorf("LIST * = %v, want %v", names, want)
	}
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '.' {
		t.Errorf("NAMESPACE = %+v, %v", ns, err)
	}

	// APPEND with flags and a date, as a client saving a sent message.
	msg := "From: demo@localhost\r\nSubject: draft\r\n\r\nsaved\r\n"
	date := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	ac := c.Append("Sent", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: date})
	ac.Write([]byte(msg))
	ac.Close()
	ad, err := ac.Wait()
	if err != nil || ad.UID != 1 || ad.UIDValidity == 0 {
		t.Fatalf("APPEND = %+v, %v", ad, err)
	}
	cur := files(t, filepath.Join(ts.maildir(), ".Sent", "cur"))
	if len(cur) != 1 || !strings.HasSuffix(cur[0], ":2,S") || !strings.Contains(cur[0], ",W="+itoa(len(msg))) {
		t.Errorf(".Sent/cur = %v", cur)
	}
	if b, _ := os.ReadFile(filepath.Join(ts.maildir(), ".Sent", "cur", cur[0])); string(b) != strings.ReplaceAll(msg, "\r\n", "\n") {
		t.Errorf("appended file %q: want LF line endings", b)
	}
	st, err := c.Status("Sent", &imap.StatusOptions{NumMessages: true, UIDNext: true, NumUnseen: true, Size: true}).Wait()
	if err != nil || *st.NumMessages != 1 || st.UIDNext != 2 || *st.NumUnseen != 0 || *st.Size != int64(len(msg)) {
		t.Errorf("STATUS Sent = %+v, %v", st, err)
	}

	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cd, err := c.Copy(imap.SeqSetNum(1), "Trash").Wait()
	if err != nil || cd.UIDValidity == 0 || !slices.Equal(uids(cd.SourceUIDs), []imap.UID{1}) || !slices.Equal(uids(cd.DestUIDs), []imap.UID{1}) {
		t.Errorf("COPY = %+v, %v", cd, err)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Nowhere").Wait(); err == nil || !strings.Contains(err.Error(), "TRYCREATE") {
		t.Errorf("COPY to a missing mailbox: %v, want TRYCREATE", err)
	}
	md, err := c.Move(imap.UIDSetNum(2), "Trash").Wait()
	if err != nil || !slices.Equal(uids(md.DestUIDs.(imap.UIDSet)), []imap.UID{2}) {
		t.Errorf("MOVE = %+v, %v", md, err)
	}
	if n := files(t, filepath.Join(ts.maildir(), "cur")); len(n) != 1 {
		t.Errorf("INBOX cur/ after MOVE: %v", n)
	}
	if n := files(t, filepath.Join(ts.maildir(), ".Trash", "cur")); len(n) != 2 {
		t.Errorf(".Trash/cur after COPY and MOVE: %v", n)
	}
	if err := c.Rename("Lists", "Groups", nil).Wait(); err == nil {
		t.Errorf("RENAME of a mailbox that is not there succeeded")
	}
	if err := c.Create("Lists", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("Lists", "Groups", nil).Wait(); err != nil {
		t.Fatalf("RENAME: %v", err)
	}
	for _, d := range []string{".Groups/cur", ".Groups.Go/cur"} {
		if _, err := os.Stat(filepath.Join(ts.maildir(), d)); err != nil {
			t.Errorf("after RENAME Lists Groups: %v", err)
		}
	}
	if err := c.Delete("Trash").Wait(); err != nil {
		t.Fatalf("DELETE: %v", err)
	}
	if _, err := os.Stat(filepath.Join(ts.maildir(), ".Trash")); !os.IsNotExist(err) {
		t.Errorf("DELETE Trash left its directory: %v", err)
	}
	if err := c.Delete("INBOX").Wait(); err == nil {
		t.Errorf("DELETE INBOX succeeded")
	}
}

func uids(s imap.UIDSet) []imap.UID {
	n, _ := s.Nums()
	return n
}

// UIDs and UIDVALIDITY survive a restart, and a UID is never given again,
// even after the message that had the highest one is expunged.
func TestUIDsSurviveRestart(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "Maildir")
	ts := startServer(t, root)
	ts.send(t, "a", "a\r\n")
	ts.send(t, "b", "b\r\n")
	ts.send(t, "c", "c\r\n")
	c := ts.login(t, nil)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
	if _, err := c.Expunge().Collect(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	ts.stop()

	ts2 := startServer(t, root)
	ts2.send(t, "d", "d\r\n")
	c2 := ts2.login(t, nil)
	sel2, err := c2.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel2.UIDValidity != sel.UIDValidity {
		t.Errorf("UIDVALIDITY %d after a restart, was %d", sel2.UIDValidity, sel.UIDValidity)
	}
	msgs, err := c2.Fetch(imap.SeqSetNum(1, 2, 3), &imap.FetchOptions{UID: true, Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Envelope.Subject+"="+itoa(int(m.UID)))
	}
	if want := []string{"a=1", "b=2", "d=4"}; !slices.Equal(got, want) {
		t.Errorf("subjects and UIDs after a restart %v, want %v (UID 3 never given again)", got, want)
	}
	list, err := os.ReadFile(filepath.Join(ts2.maildir(), "mailsh-uidlist"))
	if err != nil || !strings.HasPrefix(string(list), "mailsh-uidlist 1 V"+itoa(int(sel.UIDValidity))+" N5\n") {
		t.Errorf("mailsh-uidlist = %q, %v", list, err)
	}
}

// A message delivered over SMTP shows up in an IDLE session at once.
func TestIdleSeesSMTPDelivery(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	exists := make(chan uint32, 8)
	c := ts.login(t, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		},
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	ts.send(t, "while idle", "hi\r\n")
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS %d, want 1", n)
		}
	case <-time.After(3 * time.Second):
		// The directory is looked at every 5 s as well: within 3 s only
		// the Store's notice can have told the session.
		t.Fatal("no EXISTS within 3 s of the delivery")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}

// POP3 and IMAP on one mailbox: POP3's lock does not block IMAP, a POP3
// DELE and QUIT shows as EXPUNGE in IMAP, IMAP's EXPUNGE is seen by the
// next POP3 login, and POP3's UIDLs do not change when IMAP moves
// messages to cur/ or changes their flags.
func TestPOP3AndIMAPCoherent(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "one", "1\r\n")
	ts.send(t, "two", "2\r\n")
	ts.send(t, "three", "3\r\n")

	p := dialPOP3(t, ts.pop3)
	p.cmd("+OK", "USER demo")
	p.cmd("+OK", "PASS secret")
	p.cmd("+OK", "UIDL")
	uidl := p.multi()

	// The POP3 session holds the maildrop; IMAP logs in and selects.
	expunged := make(chan uint32, 8)
	c := ts.login(t, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { expunged <- seq },
	}})
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Store(imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Collect()

	p.cmd("+OK", "UIDL")
	if again := p.multi(); !slices.Equal(again, uidl) {
		t.Errorf("UIDL after IMAP moved the files to cur/: %v, was %v", again, uidl)
	}
	p.cmd("+OK", "RETR 3")
	p.multi()
	p.cmd("+OK", "DELE 1")
	p.cmd("+OK", "QUIT")

	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	select {
	case seq := <-expunged:
		if seq != 1 {
			t.Errorf("EXPUNGE %d, want 1", seq)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the POP3 deletion was not seen as EXPUNGE")
	}
	c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
	if _, err := c.Expunge().Collect(); err != nil {
		t.Fatal(err)
	}
	p2 := dialPOP3(t, ts.pop3)
	p2.cmd("+OK", "USER demo")
	p2.cmd("+OK", "PASS secret")
	p2.cmd("+OK 1 ", "STAT")
	p2.cmd("+OK", "UIDL")
	if left := p2.multi(); len(left) != 1 || left[0][2:] != uidl[2][2:] {
		t.Errorf("UIDL after IMAP EXPUNGE: %v, want message three's %q", left, uidl[2])
	}
}
