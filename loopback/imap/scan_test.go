package imap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestScanKeepsListing: a folder's listing is given again while its
// directories and UID list keep settled times, and read again after any
// change, by this process or another program; SELECT still moves a kept
// listing's messages in new/ to cur/.
func TestScanKeepsListing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "Maildir")
	if err := ensureMaildir(dir); err != nil {
		t.Fatal(err)
	}
	put := func(i int) string {
		name := fmt.Sprintf("1700000000.M%06dP1Q%d.test", i, i)
		if err := os.WriteFile(filepath.Join(dir, "new", name), []byte("Subject: s\n\nx\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return name
	}
	// settle sets the folder's times back by hours (a different time each
	// call), as if they had been changed long ago.
	back := 0
	settle := func() {
		back++
		old := time.Now().Add(-time.Duration(back) * time.Hour)
		for _, p := range []string{"new", "cur", uidListName} {
			if err := os.Chtimes(filepath.Join(dir, p), old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := &Server{}
	scan := func(claim bool) []entry {
		t.Helper()
		msgs, _, _, err := s.scan(dir, claim)
		if err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	kept := func() bool { return s.state(dir).kept != nil }
	names := func(msgs []entry) string {
		var b []string
		for _, m := range msgs {
			b = append(b, fmt.Sprintf("%d %s/%s", m.uid, m.sub, m.name))
		}
		return strings.Join(b, "; ")
	}

	for i := range 3 {
		put(i)
	}
	if m := scan(true); len(m) != 3 || kept() {
		t.Fatalf("first SELECT: %s; kept %v (want 3 messages, none kept: it moved them)", names(m), kept())
	}
	if m := scan(true); len(m) != 3 || kept() {
		t.Fatalf("SELECT at once: %s; kept %v (want none kept: the times have not settled)", names(m), kept())
	}
	settle()
	first := scan(true)
	if !kept() {
		t.Fatal("settled: the listing is not kept")
	}
	want := names(first)
	first[0].name = "changed by the session"
	if m := scan(true); names(m) != want {
		t.Fatalf("kept listing: %s, want %s (a session's changes must not reach it)", names(m), want)
	}

	// Another program delivers.
	put(3)
	if m := scan(true); len(m) != 4 || m[3].sub != "cur" || m[3].uid != 4 || kept() {
		t.Fatalf("after a delivery: %s; kept %v", names(m), kept())
	}
	settle()
	scan(true)
	// Another program sets a flag, then removes a message.
	cur := filepath.Join(dir, "cur")
	des, _ := os.ReadDir(cur)
	if err := os.Rename(filepath.Join(cur, des[0].Name()), filepath.Join(cur, des[0].Name()+"S")); err != nil {
		t.Fatal(err)
	}
	settle()
	if m := scan(true); m[0].flags() != "S" {
		t.Fatalf("after a flag change: %s", names(m))
	}
	if err := os.Remove(filepath.Join(cur, des[1].Name())); err != nil {
		t.Fatal(err)
	}
	settle()
	if m := scan(true); len(m) != 3 || kept() {
		t.Fatalf("after a removal: %s; kept %v (want none kept: the UID list changed)", names(m), kept())
	}

	// STATUS keeps a listing with a message in new/; SELECT moves it.
	name := put(4)
	settle()
	scan(false) // gives it a UID: the UID list changes
	settle()
	if m := scan(false); len(m) != 4 || m[3].sub != "new" || !kept() {
		t.Fatalf("STATUS: %s; kept %v", names(m), kept())
	}
	if m := scan(false); len(m) != 4 || m[3].sub != "new" {
		t.Fatalf("STATUS again: %s", names(m))
	}
	if m := scan(true); len(m) != 4 || m[3].sub != "cur" {
		t.Fatalf("SELECT after STATUS: %s (want the new message moved to cur/)", names(m))
	}
	if _, err := os.Stat(filepath.Join(dir, "new", name)); err == nil {
		t.Fatalf("%s still in new/ after SELECT", name)
	}
}

// BenchmarkScan reads a folder of 10,000 messages whose listing is not
// kept: what SELECT costs after a change, and poll while the folder's
// times have not settled.
func BenchmarkScan(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "Maildir")
	if err := ensureMaildir(dir); err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		name := fmt.Sprintf("1700000000.M%06dP1Q%d.bench,S=4096,W=4150:2,", i, i)
		if err := os.WriteFile(filepath.Join(dir, "cur", name), nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	s := &Server{}
	st := s.state(dir)
	for b.Loop() {
		st.mu.Lock()
		st.kept = nil
		st.mu.Unlock()
		if msgs, _, _, err := s.scan(dir, true); err != nil || len(msgs) != 10000 {
			b.Fatal(len(msgs), err)
		}
	}
}
