package raw

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
	"github.com/mailsh/mailsh/proto/smtp"
)

// A greeting that is none of the registry's protocols turns the session
// into raw line mode, as telnet would carry on, and says so; a line sent
// waits for nothing, and what arrives is shown as it comes.
func TestGreetingNotMail(t *testing.T) {
	cc, sc := net.Pipe()
	errc := prototest.Serve(sc, `
S: SSH-2.0-OpenSSH_9.2
C: hello
S: Protocol mismatch.
`)
	var mu sync.Mutex
	var got strings.Builder
	c := proto.NewClientOf(cc, nil, func(e proto.Event) {
		mu.Lock()
		fmt.Fprintf(&got, "%c: %s\n", e.Dir, e.Text)
		mu.Unlock()
	}, proto.Registry{smtp.Protocol, pop3.Protocol, Protocol})
	c.Timeout = 2 * time.Second
	defer c.Close()
	if _, err := c.Greeting(); err != nil {
		t.Fatalf("err = %v, want raw line mode", err)
	}
	if c.Machine.Protocol() != Protocol || c.Machine.State() != Open {
		t.Fatalf("protocol %v, state %v", c.Machine.Protocol(), c.Machine.State())
	}
	if _, rep, err := c.Command("hello"); err != nil || rep != nil {
		t.Fatalf("hello: %v %v", rep, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"S: SSH-2.0-OpenSSH_9.2\n", "raw line mode", "C: hello\n", "S: Protocol mismatch.\n"} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("events lack %q:\n%s", want, got.String())
		}
	}
}
