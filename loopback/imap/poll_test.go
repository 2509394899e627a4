package imap_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// updates gathers what a session is told between commands.
type updates struct {
	exists  chan uint32
	expunge chan uint32
	flags   chan *imapclient.FetchMessageBuffer
}

func newUpdates() (*updates, *imapclient.Options) {
	u := &updates{exists: make(chan uint32, 16), expunge: make(chan uint32, 16), flags: make(chan *imapclient.FetchMessageBuffer, 16)}
	return u, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				u.exists <- *d.NumMessages
			}
		},
		Expunge: func(seq uint32) { u.expunge <- seq },
		Fetch: func(msg *imapclient.FetchMessageData) {
			if b, err := msg.Collect(); err == nil {
				u.flags <- b
			}
		},
	}}
}

// next waits for what a command was told: the client reads a command's
// untagged responses before its completion, so it is there at once.
func next[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s", what)
	}
	var zero T
	return zero
}

// TestPollSeesChangesInTheSameTick: another program adds a message,
// changes one's flags and removes one while the folder's times have not
// settled, each change leaving the directory's time as it was (as a
// change in the same tick of the kernel's clock does); each shows at the
// next command. The times are in the future, so that they never settle
// during the test.
func TestPollSeesChangesInTheSameTick(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "one", "1\r\n")
	ts.send(t, "two", "2\r\n")
	ts.send(t, "three", "3\r\n")
	u, opts := newUpdates()
	c := ts.login(t, opts)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(ts.maildir(), "cur")
	future := time.Now().Add(time.Hour)
	for _, p := range []string{"new", "cur", "mailsh-uidlist"} {
		if err := os.Chtimes(filepath.Join(ts.maildir(), p), future, future); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	// change does what another program does in cur/, then gives cur/ its
	// time back.
	change := func(f func()) {
		t.Helper()
		f()
		if err := os.Chtimes(cur, future, future); err != nil {
			t.Fatal(err)
		}
		if err := c.Noop().Wait(); err != nil {
			t.Fatal(err)
		}
	}

	change(func() {
		if err := os.WriteFile(filepath.Join(cur, "1700000000.M1P1Q1.other:2,"), []byte("Subject: four\n\n4\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	})
	if n := next(t, u.exists, "EXISTS after another program added a message"); n != 4 {
		t.Fatalf("EXISTS %d, want 4", n)
	}

	names := files(t, cur)
	slices.Sort(names)
	change(func() {
		if err := os.Rename(filepath.Join(cur, names[0]), filepath.Join(cur, names[0]+"F")); err != nil {
			t.Fatal(err)
		}
	})
	if m := next(t, u.flags, "FETCH FLAGS after another program flagged a message"); !slices.Contains(m.Flags, imap.FlagFlagged) {
		t.Fatalf("FETCH %d FLAGS %v, want \\Flagged", m.SeqNum, m.Flags)
	}

	change(func() {
		if err := os.Remove(filepath.Join(cur, names[1])); err != nil {
			t.Fatal(err)
		}
	})
	next(t, u.expunge, "EXPUNGE after another program removed a message")
}

// TestExpungeAfterFetch: a message another program removed is seen at a
// FETCH, which may not say EXPUNGE (RFC 9051 §7.5.1); the next command
// that may says it, though nothing changed since.
func TestExpungeAfterFetch(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "one", "1\r\n")
	ts.send(t, "two", "2\r\n")
	u, opts := newUpdates()
	c := ts.login(t, opts)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(ts.maildir(), "cur")
	names := files(t, cur)
	slices.Sort(names)
	if err := os.Remove(filepath.Join(cur, names[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{Flags: true}).Collect(); err != nil {
		t.Fatal(err)
	}
	select {
	case seq := <-u.expunge:
		t.Fatalf("EXPUNGE %d during FETCH", seq)
	default:
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if seq := next(t, u.expunge, "EXPUNGE at the NOOP after the FETCH"); seq != 1 {
		t.Fatalf("EXPUNGE %d, want 1", seq)
	}
}
