package imap_test

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
	"github.com/mailsh/mailsh/loopback"
)

// TestSelectClaimsMany: SELECT of a folder with more messages in new/
// than it moves before answering moves them after the answer, in the
// pauses between commands. A FETCH that follows at once, and each one
// during the moves, finds every message wherever the moves have got to,
// none lost or listed twice; new/ ends empty with every message in cur/; a message delivered meanwhile shows at the next command;
// STORE and a SELECT after the moves find the same UIDs.
func TestSelectClaimsMany(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	const n = 1000 // several of the batches moved at a time
	dir := ts.maildir()
	if err := os.MkdirAll(filepath.Join(dir, "new"), 0o700); err != nil {
		t.Fatal(err)
	}
	body := func(i int) string { return fmt.Sprintf("Subject: m%d\n\nmessage %d\n", i, i) }
	for i := range n {
		name := fmt.Sprintf("1700000000.M%06dP1Q%d.test", i, i)
		if err := os.WriteFile(filepath.Join(dir, "new", name), []byte(body(i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := ts.login(t, nil)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != n {
		t.Fatalf("SELECT: %+v, %v; want %d messages", sel, err, n)
	}
	peek := &imap.FetchItemBodySection{Peek: true}
	all := imap.SeqSet{{Start: 1, Stop: 0}} // 1:*
	want := n
	fetch := func(when string) map[imap.UID][]imap.Flag {
		t.Helper()
		msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{peek}}).Collect()
		if err != nil || len(msgs) != want {
			t.Fatalf("FETCH %s: %d messages, %v; want %d", when, len(msgs), err, want)
		}
		flags := map[imap.UID][]imap.Flag{}
		seen := map[string]bool{}
		for _, m := range msgs {
			got := string(m.FindBodySection(peek))
			if !strings.Contains(got, "Subject: ") || seen[got] {
				t.Fatalf("FETCH %s: UID %d has %q (listed twice, or not a message)", when, m.UID, got)
			}
			seen[got] = true
			flags[m.UID] = m.Flags
		}
		return flags
	}
	before := fetch("after SELECT")
	// A delivery while the moves go on shows at the next command (its
	// EXISTS comes after the command, as go-imap polls).
	ts.send(t, "late", "delivered while the moves go on\r\n")
	want++
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	for uid := range fetch("after a delivery") {
		before[uid] = nil
	}

	// The moves go on in the pauses between commands, and end: nothing
	// is left in new/, and cur/ holds every message, with no flags.
	// FETCH finds every message at each step of the way.
	deadline := time.Now().Add(20 * time.Second)
	for steps := 0; len(files(t, filepath.Join(dir, "new"))) > 0; steps++ {
		fetch(fmt.Sprintf("during the moves (%d)", steps)) // its poll claims the delivery
		if time.Now().After(deadline) {
			t.Fatalf("new/ still holds %d messages", len(files(t, filepath.Join(dir, "new"))))
		}
		time.Sleep(25 * time.Millisecond) // a pause: moves go on
	}
	cur := files(t, filepath.Join(dir, "cur"))
	if len(cur) != want {
		t.Fatalf("cur/ holds %d messages; want %d", len(cur), want)
	}
	for _, name := range cur {
		if !strings.HasSuffix(name, ":2,") {
			t.Fatalf("cur/%s: want a name ending in \":2,\" (no flags)", name)
		}
	}

	if _, err := c.Store(all, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Collect(); err != nil {
		t.Fatalf("STORE: %v", err)
	}
	after := fetch("after STORE")
	for uid, fl := range after {
		if _, ok := before[uid]; !ok || !slices.Contains(fl, imap.FlagFlagged) {
			t.Fatalf("UID %d: flags %v after STORE (known before: %v)", uid, fl, ok)
		}
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	if sel, err := c.Select("INBOX", nil).Wait(); err != nil || sel.NumMessages != uint32(want) {
		t.Fatalf("SELECT again: %+v, %v", sel, err)
	}
	again := fetch("after the moves")
	for uid := range before {
		if _, ok := again[uid]; !ok {
			t.Fatalf("UID %d is gone after the moves", uid)
		}
	}
}

// putBig puts n messages of size octets in the account's new/, more in
// all than the socket buffers hold.
func putBig(t *testing.T, ts *testServer, n, size int) {
	t.Helper()
	dir := filepath.Join(ts.maildir(), "new")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	body := "Subject: big\n\n" + strings.Repeat("x", size) + "\n"
	for i := range n {
		name := fmt.Sprintf("1700000000.M%06dP1Q%d.test", i, i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// stalledFetch logs in on a raw connection, selects INBOX and asks for
// every message whole, then reads no more.
func stalledFetch(t *testing.T, ts *testServer) net.Conn {
	t.Helper()
	c, br := rawSession(t, ts.imap)
	readUntil(t, br, "* OK")
	fmt.Fprintf(c, "a1 LOGIN %s %s\r\na2 SELECT INBOX\r\n", user, pass)
	readUntil(t, br, "a1 OK")
	readUntil(t, br, "a2 OK")
	fmt.Fprintf(c, "a3 FETCH 1:* BODY.PEEK[]\r\n")
	return c
}

// TestMovesHoldUpNoCommand: while a client that has stopped reading holds
// up its FETCH of every message, the moves SELECT left to make hold up
// no other session's commands on the folder.
func TestMovesHoldUpNoCommand(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	putBig(t, ts, 600, 32<<10) // more than SELECT moves before it answers
	stalledFetch(t, ts)
	// Long enough for the moves to want a step whatever the FETCH does.
	time.Sleep(1500 * time.Millisecond)

	done := make(chan error, 1)
	go func() {
		c, err := imapclient.DialInsecure(ts.imap, nil)
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		if err := c.Login(user, pass).Wait(); err != nil {
			done <- err
			return
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			done <- err
			return
		}
		_, err = c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("another session's FETCH waited 10 s behind the moves")
	}
}

// TestFetchAbandoned: a client that goes away in the middle of a FETCH
// frees its session: the connection it held no longer counts against
// the limit of connections from its address.
func TestFetchAbandoned(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) { c.Limits.MaxClientConnections = 1 })
	putBig(t, ts, 100, 200<<10)
	stalledFetch(t, ts).Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, br := rawSession(t, ts.imap)
		got := readUntil(t, br, "* ")
		c.Close()
		if strings.HasPrefix(got, "* OK") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s after a client left in the middle of a FETCH, another gets %q", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
