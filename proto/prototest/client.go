package prototest

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// Recorder keeps the events of a session, for comparing with the wire.
type Recorder struct {
	mu     sync.Mutex
	events []proto.Event
}

// Add records an event; give it as a client's observer.
func (r *Recorder) Add(e proto.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Events returns the events recorded so far.
func (r *Recorder) Events() []proto.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]proto.Event(nil), r.events...)
}

// String writes the events as "C: line", "S: line" and "*: note".
func (r *Recorder) String() string {
	var b strings.Builder
	for _, e := range r.Events() {
		fmt.Fprintf(&b, "%c: %s\n", e.Dir, e.Text)
	}
	return b.String()
}

// PipeClient starts a client of protocol p (nil: taken from the greeting,
// among reg's) against a server playing script (see Serve), over
// net.Pipe, with a short timeout; the client is closed when the test
// ends.
func PipeClient(t *testing.T, p proto.Protocol, reg proto.Registry, script string) (*proto.Client, *Recorder, <-chan error) {
	t.Helper()
	cc, sc := net.Pipe()
	errc := Serve(sc, script)
	rec := &Recorder{}
	c := proto.NewClientOf(cc, p, rec.Add, reg)
	c.Timeout = 2 * time.Second
	t.Cleanup(func() { c.Close() })
	return c, rec, errc
}

// Run sends each command and fails the test at the first error.
func Run(t *testing.T, c *proto.Client, cmds ...string) {
	t.Helper()
	for _, l := range cmds {
		if _, _, err := c.Command(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
}

// Transitions compares the lines "command -> state" a test got with the
// ones it wants, one a line, blanks around them ignored.
func Transitions(t *testing.T, got []string, want string) {
	t.Helper()
	w := strings.Split(strings.TrimSpace(want), "\n")
	for i := range w {
		w[i] = strings.TrimSpace(w[i])
	}
	if strings.Join(got, "\n") != strings.Join(w, "\n") {
		t.Errorf("transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
}
