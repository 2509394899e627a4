package imap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// STATUS and EXAMINE leave new messages in new/; SELECT moves them to
// cur/, as Dovecot does.
func TestOnlySelectMovesNew(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "one", "1\r\n")
	ts.send(t, "two", "2\r\n")
	c := ts.login(t, nil)
	newDir, curDir := filepath.Join(ts.maildir(), "new"), filepath.Join(ts.maildir(), "cur")
	inNew := func(after string, want int) {
		t.Helper()
		if n := len(files(t, newDir)); n != want {
			t.Errorf("after %s new/ holds %d messages, want %d (cur/: %v)", after, n, want, files(t, curDir))
		}
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 2 || *st.NumUnseen != 2 {
		t.Errorf("STATUS: %d messages, %d unseen, want 2 and 2", *st.NumMessages, *st.NumUnseen)
	}
	inNew("STATUS", 2)
	if d, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil || d.NumMessages != 2 {
		t.Fatalf("EXAMINE: %v, %v", d, err)
	}
	inNew("EXAMINE", 2)
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	if d, err := c.Select("INBOX", nil).Wait(); err != nil || d.NumMessages != 2 {
		t.Fatalf("SELECT: %v, %v", d, err)
	}
	inNew("SELECT", 0)
	if n := len(files(t, curDir)); n != 2 {
		t.Errorf("after SELECT cur/ holds %d messages, want 2", n)
	}
}

// Flags letters mailsh does not use (P, another program's keywords) stay
// in a file's name when STORE changes its flags.
func TestStoreKeepsOtherFlagLetters(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "first", "1\r\n") // makes the Maildir
	cur := filepath.Join(ts.maildir(), "cur")
	if err := os.WriteFile(filepath.Join(cur, "2000000000.M1P1.host:2,Pa"), []byte("Subject: passed on\n\nx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := ts.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	// The message from another program is the second, by its time.
	if _, err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	var name string
	for _, f := range files(t, cur) {
		if strings.HasPrefix(f, "2000000000.M1P1.host") {
			name = f
		}
	}
	if want := "2000000000.M1P1.host:2,FPSa"; name != want {
		t.Errorf("after STORE +FLAGS (\\Seen \\Flagged) the file is %q, want %q", name, want)
	}
}
