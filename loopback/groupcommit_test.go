package loopback_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// begin starts a delivery of one message with text to the accounts.
func begin(s *loopback.Store, text string, accounts ...string) (*loopback.Delivery, error) {
	env := &loopback.Envelope{ID: text, From: "s@x", Domain: "localhost", Time: time.Now()}
	for _, a := range accounts {
		env.Recipients = append(env.Recipients, loopback.Recipient{Addr: a + "@localhost", Account: a})
	}
	d, err := s.Begin(env, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Write([]byte("Subject: " + text + "\r\n\r\n" + text + "\r\n")); err != nil {
		d.Abort()
		return nil, err
	}
	return d, nil
}

// deliver writes one message with text to the accounts and commits it.
func deliver(s *loopback.Store, text string, accounts ...string) ([]string, error) {
	d, err := begin(s, text, accounts...)
	if err != nil {
		return nil, err
	}
	return d.Commit()
}

// Messages finished while a batch is on its way to the disk share the
// next batch's one fsync of new/, and none of their sessions is told the
// message is stored before that fsync is done.
func TestGroupCommitSharesDirSync(t *testing.T) {
	const n = 8
	s, err := loopback.OpenStore(t.TempDir(), []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu        sync.Mutex
		syncs     []int // files in new/ at each fsync of it
		syncsDone atomic.Int32
		firstBack atomic.Bool
		released  atomic.Int32
		early     []string
	)
	loopback.SetReleased(s, func() { released.Add(1) })
	loopback.SetDirSync(s, func(dir string) error {
		mu.Lock()
		call := len(syncs) + 1
		mu.Unlock()
		switch call {
		case 1:
			// Hold the first batch, of one message, until the
			// others wait for the next.
			for i := 0; loopback.CommitsWaiting(s) < n-1; i++ {
				if i == 10000 {
					return errors.New("the other deliveries never queued")
				}
				time.Sleep(time.Millisecond)
			}
		case 2:
			// Hold the second until the first delivery is back: a
			// delivery of this batch released too early would be
			// back by then too.
			for i := 0; !firstBack.Load(); i++ {
				if i == 10000 {
					return errors.New("the first delivery never returned")
				}
				time.Sleep(time.Millisecond)
			}
		}
		entries, _ := os.ReadDir(dir)
		mu.Lock()
		syncs = append(syncs, len(entries))
		// The first batch had no one to release, and the second
		// releases its deliveries only after this fsync.
		if r := released.Load(); r != 0 {
			early = append(early, fmt.Sprintf("%d deliveries released before fsync %d of new/", r, call))
		}
		mu.Unlock()
		syncsDone.Add(1)
		return nil
	})
	// Each delivery says how many fsyncs of new/ were done when it
	// returned: the first needs one, the others two.
	type back struct {
		name  string
		syncs int32
		err   error
	}
	backs := make(chan back, n)
	go func() {
		_, err := deliver(s, "first", "a")
		backs <- back{"first", syncsDone.Load(), err}
		firstBack.Store(true)
	}()
	for i := 0; loopback.CommitsWaiting(s) == 0 && len(servertest.MaildirFiles(t, s.Root, "a", "new")) == 0; i++ {
		if i == 10000 {
			t.Fatal("the first delivery never reached its commit")
		}
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < n; i++ {
		go func() {
			name := fmt.Sprint("m", i)
			_, err := deliver(s, name, "a")
			backs <- back{name, syncsDone.Load(), err}
		}()
	}
	for range n {
		select {
		case b := <-backs:
			want := int32(2)
			if b.name == "first" {
				want = 1
			}
			if b.err != nil {
				t.Errorf("%s: %v", b.name, b.err)
			} else if b.syncs < want {
				t.Errorf("%s returned after %d fsyncs of new/, before the one of its batch", b.name, b.syncs)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("a commit never returned")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range early {
		t.Error(e)
	}
	if len(syncs) != 2 || syncs[0] != 1 || syncs[1] != n {
		t.Errorf("fsyncs of new/ saw %v files; want [1 %d]: one for the first message, one for the %d that waited", syncs, n, n-1)
	}
}

// Many sessions delivering at once, one of them to a mailbox whose new/
// has gone: every other message is stored once, in each of its mailboxes,
// and the failing ones leave no copy anywhere.
func TestGroupCommitConcurrent(t *testing.T) {
	s, err := loopback.OpenStore(t.TempDir(), []string{"a", "b", "bad"})
	if err != nil {
		t.Fatal(err)
	}
	const sessions, each = 12, 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		stored  = map[string][]string{} // text to paths
		perBox  = map[string]int{}
		failed  []string
		badNew  = filepath.Join(s.Maildir("bad"), "new")
		badRuns = 0
	)
	for g := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				text := fmt.Sprintf("s%d-m%d", g, i)
				accounts := []string{"a"}
				if i%4 == 0 {
					accounts = append(accounts, "b")
				}
				var (
					paths []string
					err   error
				)
				if g == 0 && i%5 == 0 {
					// Only this session uses bad: its new/ goes
					// between Begin (which makes it) and Commit.
					accounts = append(accounts, "bad")
					paths, err = deliverWithout(s, text, badNew, accounts...)
				} else {
					paths, err = deliver(s, text, accounts...)
				}
				mu.Lock()
				if g == 0 && i%5 == 0 {
					badRuns++
					if err == nil {
						failed = append(failed, text+": stored although bad/new/ was gone")
					}
				} else if err != nil {
					failed = append(failed, text+": "+err.Error())
				} else {
					stored[text] = paths
					for _, a := range accounts {
						perBox[a]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(120 * time.Second):
		t.Fatal("deliveries never finished: a commit hung")
	}
	for _, f := range failed {
		t.Error(f)
	}
	for text, paths := range stored {
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil || !strings.HasSuffix(string(b), "\n\n"+text+"\n") {
				t.Errorf("%s: %v, text %q", p, err, b)
			}
		}
	}
	for _, a := range []string{"a", "b"} {
		if got := len(servertest.MaildirFiles(t, s.Root, a, "new")); got != perBox[a] {
			t.Errorf("%s/new/ holds %d messages, want %d", a, got, perBox[a])
		}
		if got := len(servertest.MaildirFiles(t, s.Root, a, "tmp")); got != 0 {
			t.Errorf("%s/tmp/ holds %d files", a, got)
		}
	}
	if badRuns == 0 {
		t.Fatal("no delivery to bad ran")
	}
}

// deliverWithout is deliver with the directory gone between Begin and
// Commit.
func deliverWithout(s *loopback.Store, text, gone string, accounts ...string) ([]string, error) {
	d, err := begin(s, text, accounts...)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(gone); err != nil {
		d.Abort()
		return nil, err
	}
	return d.Commit()
}
