package imap

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/prototest"
	"github.com/mailsh/mailsh/proto/raw"
	"github.com/mailsh/mailsh/proto/smtp"
)

// registry is the engine's own protocols and IMAP, for greetings.
var registry = proto.Registry{smtp.Protocol, pop3.Protocol, Protocol, raw.Protocol}

type recorder struct {
	mu     sync.Mutex
	events []proto.Event
}

func (r *recorder) add(e proto.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&b, "%c: %s\n", e.Dir, e.Text)
	}
	return b.String()
}

// newPipeClient starts an IMAP client against a scripted server; p nil
// takes the protocol from the greeting, among the registry's.
func newPipeClient(t *testing.T, p proto.Protocol, script string) (*proto.Client, *recorder, <-chan error) {
	t.Helper()
	cc, sc := net.Pipe()
	errc := prototest.Serve(sc, script)
	rec := &recorder{}
	c := proto.NewClientOf(cc, p, rec.add, registry)
	c.Timeout = 2 * time.Second
	t.Cleanup(func() { c.Close() })
	return c, rec, errc
}

func run(t *testing.T, c *proto.Client, cmds ...string) {
	t.Helper()
	for _, l := range cmds {
		if _, _, err := c.Command(l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
}
