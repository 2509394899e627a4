package loopback_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

// A full disk in the middle of a message: 452 4.3.1, nothing in new/,
// nothing left in tmp/, and the session goes on.
func TestDeliveryDiskFull(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"full", syscall.ENOSPC, "S: 452 4.3.1 Insufficient system storage: the mailbox disk is full; nothing was delivered, try again later"},
		{"io error", syscall.EIO, "S: 451 4.3.0 Local error in processing: the message could not be stored; nothing was delivered, try again later"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *loopback.Config) { loopback.FailWrites(c.Store, 300, tt.err) })
			c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
			c.Converse(nil, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: `+strings.Repeat("x", 900)+`
C: `+strings.Repeat("y", 900)+`
C: .
`+tt.want+`
C: NOOP
S: 250 *`)
			if n := len(servertest.MaildirFiles(t, ts.Root, "demo", "new")); n != 0 {
				t.Errorf("%d files in new/", n)
			}
			if n := len(servertest.MaildirFiles(t, ts.Root, "demo", "tmp")); n != 0 {
				t.Errorf("%d files left in tmp/", n)
			}
		})
	}
}

func TestDeliveryCopies(t *testing.T) {
	s, err := loopback.OpenStore(t.TempDir(), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	env := &loopback.Envelope{ID: "X1", From: "s@x", Domain: "localhost", Time: time.Unix(1e9, 0),
		Recipients: []loopback.Recipient{{"a@localhost", "a"}, {"b@localhost", "b"}, {"c@localhost", "b"}}}
	d, err := s.Begin(env, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("Subject: s\r\n\r\n"))
	d.Write([]byte(strings.Repeat("line\r\n", 50000)))
	paths, err := d.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("%d copies, want 2 (one per mailbox)", len(paths))
	}
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		size, vsize := int64(len(b)), int64(len(b)+strings.Count(string(b), "\n"))
		if want := loopback.SizedName(loopback.UniquePart(filepath.Base(p)), size, vsize); filepath.Base(p) != want {
			t.Errorf("name %s, want %s", filepath.Base(p), want)
		}
		if !strings.HasSuffix(string(b), "Subject: s\nDate: Sun, 09 Sep 2001 01:46:40 +0000\nFrom: s@x\nMessage-ID: <X1@localhost>\n\n"+strings.Repeat("line\n", 50000)) {
			t.Errorf("%s: wrong text", p)
		}
	}
	b, _ := os.ReadFile(paths[1])
	if !strings.HasPrefix(string(b), "Return-Path: <s@x>\nDelivered-To: b@localhost\nDelivered-To: c@localhost\nReceived") {
		t.Errorf("b's copy starts %q", b[:100])
	}
}

func TestDeliveryAbortLeavesNothing(t *testing.T) {
	s, _ := loopback.OpenStore(t.TempDir(), []string{"a"})
	d, err := s.Begin(&loopback.Envelope{ID: "X", Recipients: []loopback.Recipient{{"a@l", "a"}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("partial"))
	d.Abort()
	for _, sub := range []string{"new", "tmp", "cur"} {
		if n := len(servertest.MaildirFiles(t, s.Root, "a", sub)); n != 0 {
			t.Errorf("%d files in %s/", n, sub)
		}
	}
}

// Files older than 36 hours in tmp/ are left over from a crash and go;
// newer ones may be a delivery in progress and stay.
func TestOpenStoreCleansTmp(t *testing.T) {
	root := t.TempDir()
	s, _ := loopback.OpenStore(root, []string{"a"})
	old, fresh := filepath.Join(s.Maildir("a"), "tmp", "old"), filepath.Join(s.Maildir("a"), "tmp", "fresh")
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	past := time.Now().Add(-37 * time.Hour)
	os.Chtimes(old, past, past)
	if _, err := loopback.OpenStore(root, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if servertest.Exists(old) || !servertest.Exists(fresh) {
		t.Errorf("old kept: %v, fresh kept: %v", servertest.Exists(old), servertest.Exists(fresh))
	}
}

// TestDeliveryFinishedTakesNothing: the buffers of a finished delivery
// serve the next ones, so a finished delivery takes no more text: a late
// write is refused and reaches no other message.
func TestDeliveryFinishedTakesNothing(t *testing.T) {
	s, err := loopback.OpenStore(t.TempDir(), []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	begin := func(id string) *loopback.Delivery {
		t.Helper()
		d, err := s.Begin(&loopback.Envelope{ID: id, From: "s@x", Domain: "localhost", Time: time.Unix(1e9, 0),
			Recipients: []loopback.Recipient{{"a@localhost", "a"}}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	committed, aborted := begin("X1"), begin("X2")
	committed.Write([]byte("Subject: one\r\n\r\none\r\n"))
	if _, err := committed.Commit(); err != nil {
		t.Fatal(err)
	}
	aborted.Abort()
	next := begin("X3")
	next.Write([]byte("Subject: three\r\n\r\n"))
	for _, d := range []*loopback.Delivery{committed, aborted} {
		if _, err := d.Write([]byte("stray\r\n")); err == nil {
			t.Errorf("%s: a write after the delivery finished was taken", d.ID())
		}
		if _, err := io.Copy(d, strings.NewReader("stray\r\n")); err == nil {
			t.Errorf("%s: a copy after the delivery finished was taken", d.ID())
		}
	}
	next.Write([]byte("three\r\n"))
	paths, err := next.Commit()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(paths[0])
	if strings.Contains(string(b), "stray") || !strings.HasSuffix(string(b), "\n\nthree\n") {
		t.Errorf("the next message reads %q", b)
	}
}
