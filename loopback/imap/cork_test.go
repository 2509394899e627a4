package imap

import (
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// TestCorkedWriteDeadline: a write deadline set while the connection is
// corked holds for the write that sends what was gathered, and the one
// set last holds after uncork: a client that stops reading during a
// FETCH is given up on, not waited for without end.
func TestCorkedWriteDeadline(t *testing.T) {
	t.Parallel()
	a, b := net.Pipe() // nobody reads b
	defer b.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	tc := &trackedConn{Conn: a, release: func() {}, wg: &wg, end: time.Now().Add(time.Minute)}
	defer tc.Close()

	// write writes p, and gives up on a write that the deadline did not
	// end (closing the connection ends it).
	write := func(p []byte, what string) {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			_, err := tc.Write(p)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("%s: %v, want the deadline's error", what, err)
			}
		case <-time.After(10 * time.Second):
			a.Close()
			t.Fatalf("%s: the deadline did not end the write", what)
		}
	}

	tc.cork()
	tc.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	// More than is gathered: sent at once, to a client that does not read.
	write(make([]byte, 2*corkSize), "corked write")
	if err := tc.uncork(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("uncork: %v, want the write's error", err)
	}

	a.SetWriteDeadline(time.Time{}) // none left from the write before
	tc.cork()
	tc.SetWriteDeadline(time.Now().Add(-time.Second))
	if err := tc.uncork(); err != nil {
		t.Fatalf("uncork with nothing gathered: %v", err)
	}
	write([]byte("x"), "write after uncork, with the deadline set last while corked")
}
