package imap

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// TestScanKeepsListing: a folder's listing is given again without reading
// a directory while its directories and UID list keep times that had
// settled when it was read, and read again after any change, by this
// process or another program; SELECT still moves a kept listing's
// messages in new/ to cur/.
func TestScanKeepsListing(t *testing.T) {
	t.Parallel()
	f := newTestFolder(t)
	dir, s, scan, names := f.dir, f.s, f.scan, f.names
	// trusted: the listing is given again without reading a directory.
	trusted := func() bool { st := s.state(dir); return st.kept != nil && st.sure && st.keptKey == dirState(dir) }
	reads := func() int { return s.state(dir).reads }

	for i := range 3 {
		f.put(i)
	}
	if m := scan(true); len(m) != 3 || trusted() {
		t.Fatalf("first SELECT: %s; trusted %v (want 3 messages, not trusted: it moved them)", names(m), trusted())
	}
	// Times that have not settled (in the future, so that they stay so
	// however long the test takes): each SELECT reads the directories.
	f.setTimes(time.Now().Add(time.Hour))
	for range 2 {
		n := reads()
		if m := scan(true); len(m) != 3 || trusted() || reads() != n+1 {
			t.Fatalf("SELECT with times not settled: %s; trusted %v, %d reads (want the directories read, not trusted)", names(m), trusted(), reads()-n)
		}
	}
	f.settle()
	first := scan(true)
	if !trusted() {
		t.Fatal("settled: the listing is not trusted")
	}
	want := names(first)
	first[0].name = "changed by the session"
	n := reads()
	if m := scan(true); names(m) != want || reads() != n {
		t.Fatalf("kept listing: %s, want %s (a session's changes must not reach it); %d reads, want none", names(m), want, reads()-n)
	}

	// Another program delivers.
	f.put(3)
	if m := scan(true); len(m) != 4 || m[3].sub != "cur" || m[3].uid != 4 || trusted() {
		t.Fatalf("after a delivery: %s; trusted %v", names(m), trusted())
	}
	f.settle()
	scan(true)
	// Another program sets a flag, then removes a message.
	cur := filepath.Join(dir, "cur")
	des, _ := os.ReadDir(cur)
	if err := os.Rename(filepath.Join(cur, des[0].Name()), filepath.Join(cur, des[0].Name()+"S")); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if m := scan(true); m[0].flags() != "S" {
		t.Fatalf("after a flag change: %s", names(m))
	}
	if err := os.Remove(filepath.Join(cur, des[1].Name())); err != nil {
		t.Fatal(err)
	}
	f.settle()
	if m := scan(true); len(m) != 3 || !trusted() {
		t.Fatalf("after a removal: %s; trusted %v (want it trusted: the UID list written is this process's own)", names(m), trusted())
	}

	// STATUS keeps a listing with a message in new/; SELECT moves it.
	name := f.put(4)
	f.settle()
	scan(false) // gives it a UID: the UID list changes
	f.settle()
	if m := scan(false); len(m) != 4 || m[3].sub != "new" || !trusted() {
		t.Fatalf("STATUS: %s; trusted %v", names(m), trusted())
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

// testFolder is a Maildir folder and a Server that lists it.
type testFolder struct {
	t    *testing.T
	dir  string
	s    *Server
	back int // hours settle sets the times back by, one more each call
}

func newTestFolder(t *testing.T) *testFolder {
	dir := filepath.Join(t.TempDir(), "Maildir")
	if err := ensureMaildir(dir); err != nil {
		t.Fatal(err)
	}
	return &testFolder{t: t, dir: dir, s: &Server{}}
}

// put delivers message i to new/, as another program would.
func (f *testFolder) put(i int) string {
	f.t.Helper()
	name := fmt.Sprintf("1700000000.M%06dP1Q%d.test", i, i)
	if err := os.WriteFile(filepath.Join(f.dir, "new", name), []byte("Subject: s\n\nx\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return name
}

// setTimes gives new/, cur/ and the UID list the modification time tm.
func (f *testFolder) setTimes(tm time.Time) {
	f.t.Helper()
	for _, p := range []string{"new", "cur", uidListName} {
		if err := os.Chtimes(filepath.Join(f.dir, p), tm, tm); err != nil {
			f.t.Fatal(err)
		}
	}
}

// settle sets the folder's times back by hours (a different time each
// call), as if they had been changed long ago.
func (f *testFolder) settle() {
	f.back++
	f.setTimes(time.Now().Add(-time.Duration(f.back) * time.Hour))
}

func (f *testFolder) scan(claim bool) []entry {
	f.t.Helper()
	msgs, _, _, err := f.s.scan(f.dir, claim)
	if err != nil {
		f.t.Fatal(err)
	}
	return msgs
}

func (f *testFolder) names(msgs []entry) string {
	var b []string
	for _, m := range msgs {
		b = append(b, fmt.Sprintf("%d %s/%s", m.uid, m.sub, m.name))
	}
	return strings.Join(b, "; ")
}

// sneak adds a message to cur/ as another program would, then gives cur/
// back the time it had: a change in the same tick of the kernel's clock
// as the last one, which the folder's times do not show.
func (f *testFolder) sneak(name string) {
	f.t.Helper()
	before := dirState(f.dir)
	cur := filepath.Join(f.dir, "cur")
	if err := os.WriteFile(filepath.Join(cur, name), []byte("Subject: sneaked\n\ny\n"), 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Chtimes(cur, before.curMod, before.curMod); err != nil {
		f.t.Fatal(err)
	}
	if after := dirState(f.dir); after != before {
		f.t.Fatalf("the folder's state shows the change: %+v, was %+v", after, before)
	}
}

// TestListingAfterMoves: the listing SELECT made by moving messages from
// new/ to cur/ is not trusted as the folder's state after the moves:
// another program's change in the same clock tick as the last move does
// not show in the times, and the next listing must find it.
func TestListingAfterMoves(t *testing.T) {
	t.Parallel()
	for _, how := range []look{lookKept, lookConfirm} {
		f := newTestFolder(t)
		for i := range 3 {
			f.put(i)
		}
		f.scan(false) // the UID list
		f.settle()
		if m := f.scan(true); len(m) != 3 || m[2].sub != "cur" {
			t.Fatalf("SELECT: %s", f.names(m))
		}
		f.sneak("1700000001.M000009P1Q9.test:2,S")
		msgs, _, _, _, err := f.s.listing(f.dir, true, how, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 4 || msgs[3].name != "1700000001.M000009P1Q9.test:2,S" {
			t.Fatalf("look %d: the listing after SELECT's moves: %s; want the message another program added", how, f.names(msgs))
		}
	}
}

// TestListingUnsettled: a listing read while the folder's times had not
// settled is read again while the times stay as they were: a change
// another program made after the read in the same clock tick shows in
// the names only. Times in the future never settle; a time 0.3 s old
// has settled where times are stamped in nanoseconds, but not where they
// are stamped in seconds or where the file system is not known to stamp
// them finely (the coarse rule, two seconds).
func TestListingUnsettled(t *testing.T) {
	t.Parallel()
	type setup struct {
		name string
		fine bool // the file system stamps times finely
		tm   func() time.Time
	}
	setups := []setup{
		{"future", true, func() time.Time { return time.Now().Add(time.Hour) }},
		{"future, coarse", false, func() time.Time { return time.Now().Add(time.Hour) }},
		{"0.3 s, coarse", false, func() time.Time { return time.Now().Add(-300 * time.Millisecond) }},
		{"0.3 s, in whole seconds", true, func() time.Time { return time.Now().Add(-300 * time.Millisecond).Truncate(time.Second) }},
	}
	for _, su := range setups {
		f := newTestFolder(t)
		for i := range 3 {
			f.put(i)
		}
		f.scan(true)
		st := f.s.state(f.dir)
		st.fine, st.fsKnown = su.fine, true
		f.setTimes(su.tm())
		for _, how := range []look{lookKept, lookConfirm} {
			// Read with the times as they are, then changed in their tick.
			if _, _, _, _, err := f.s.listing(f.dir, true, how, 0); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("1700000001.M%06dP1Q9.test:2,", how)
			f.sneak(name)
			msgs, _, _, _, err := f.s.listing(f.dir, true, how, 0)
			if err != nil {
				t.Fatal(err)
			}
			if msgs[len(msgs)-1].name != name {
				t.Fatalf("%s, look %d: %s; want the message another program added, %s", su.name, how, f.names(msgs), name)
			}
		}
	}
}

// TestListingConfirmed: in a folder that costs more to read than the wait
// (here made to seem so), poll's listing waits for the times of a folder
// SELECT changed to settle (a few ticks of the kernel's clock where it
// stamps them in nanoseconds), compares the names once and then trusts
// the folder's state: the commands after it read no directory.
func TestListingConfirmed(t *testing.T) {
	t.Parallel()
	f := newTestFolder(t)
	for i := range 3 {
		f.put(i)
	}
	f.scan(false)
	f.settle()
	_, gen, _, _, err := f.s.listing(f.dir, true, lookConfirm, 0)
	if err != nil {
		t.Fatal(err)
	}
	st := f.s.state(f.dir)
	if !st.fine || fineSettle <= 0 {
		t.Skip("the file system is not known to stamp times in nanoseconds")
	}
	st.readCost = time.Hour
	n := st.reads
	msgs, again, _, _, err := f.s.listing(f.dir, true, lookConfirm, gen)
	if err != nil || msgs != nil || again != gen {
		t.Fatalf("poll after SELECT: %d messages, generation %d (was %d), %v; want none: the listing is the same", len(msgs), again, gen, err)
	}
	if st.reads != n+1 || !st.sure {
		t.Fatalf("poll after SELECT: %d reads, sure %v; want one read, after which the listing is sure", st.reads-n, st.sure)
	}
	if _, _, _, _, err := f.s.listing(f.dir, true, lookConfirm, gen); err != nil || st.reads != n+1 {
		t.Fatalf("poll after that: %d reads, %v; want none", st.reads-n-1, err)
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

// TestListingUIDListReplaced: another process that serves the same
// Maildir replaces the UID list (here with a new UIDVALIDITY and other
// UIDs) and changes no message: the listing takes the UIDs of the new
// list.
func TestListingUIDListReplaced(t *testing.T) {
	t.Parallel()
	f := newTestFolder(t)
	for i := range 3 {
		f.put(i)
	}
	f.scan(true)
	f.settle()
	msgs := f.scan(true)
	list := "mailsh-uidlist 1 V77 N10\n"
	for i, m := range msgs {
		list += fmt.Sprintf("%d %s\n", 7+i, m.unique)
	}
	if err := loopback.WriteFileAtomic(filepath.Join(f.dir, uidListName), []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	msgs, validity, next, err := f.s.scan(f.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if validity != 77 || next != 10 || len(msgs) != 3 || msgs[0].uid != 7 || msgs[2].uid != 9 {
		t.Fatalf("after another process replaced the UID list: UIDVALIDITY %d, UIDNEXT %d, %s; want 77, 10, UIDs 7 to 9", validity, next, f.names(msgs))
	}
}

// TestSortByDelivery: new messages are numbered in the order
// loopback.CompareMaildirNames gives, with names of every shape.
func TestSortByDelivery(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	parts := []string{"", "1700000000", "1700000001", "17", "x", "-5", "99999999999999999999"}
	micro := []string{"", "M", "M0", "M000001", "M12", "M5x", "Mx", "M999999", "V1I2M3", "M-1"}
	for range 200 {
		es := make([]*entry, rnd.IntN(40))
		for i := range es {
			name := parts[rnd.IntN(len(parts))] + "." + micro[rnd.IntN(len(micro))] + fmt.Sprintf("P%dQ%d.host", rnd.IntN(3), rnd.IntN(3))
			if rnd.IntN(4) == 0 {
				name = parts[rnd.IntN(len(parts))] // no "." at all
			}
			if rnd.IntN(2) == 0 {
				name += ",S=10,W=12:2,S"
			}
			es[i] = &entry{name: name}
		}
		want := slices.Clone(es)
		slices.SortStableFunc(want, func(a, b *entry) int { return loopback.CompareMaildirNames(a.name, b.name) })
		sortByDelivery(es)
		for i := range es {
			if es[i].name != want[i].name {
				t.Fatalf("order %d: %q, want %q", i, es[i].name, want[i].name)
			}
		}
	}
}
