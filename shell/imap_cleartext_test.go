package shell

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/imap"
	"github.com/mailsh/mailsh/proto/prototest"
)

// IMAP's LOGIN, typed or sent by :auth, bound for another host without
// TLS: script mode refuses it after the warning, and nothing is sent.
func TestCleartextWarningIMAP(t *testing.T) {
	for _, line := range []string{"LOGIN vmc tanstaaf", "x1 LOGIN vmc tanstaaf", ":auth LOGIN vmc"} {
		t.Run(line, func(t *testing.T) {
			cc, sc := net.Pipe()
			errc := prototest.Serve(sc, "S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\nC: a1 LOGOUT\nS: a1 OK bye\n")
			var out bytes.Buffer
			p := NewPrinter(&out, false)
			p.Prefix, p.Echo = true, true
			c := proto.NewClient(cc, imap.Protocol, p.Event)
			c.Timeout = 5 * time.Second
			if _, err := c.Greeting(); err != nil {
				t.Fatal(err)
			}
			s := &Session{Client: c, P: p, Target: proto.Target{Proto: imap.Protocol, Host: "mail.example.com", Port: 143}, Secrets: fixedSecret("tanstaaf")}
			defer c.Close()
			err := s.Handle(context.Background(), line)
			if err == nil || !strings.Contains(err.Error(), "refusing") || !strings.Contains(out.String(), "Password em clear text!!") {
				t.Fatalf("err %v, output %q", err, out.String())
			}
			// The next line the server reads is LOGOUT: the LOGIN never went.
			s.Quit()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "tanstaaf") {
				t.Errorf("the password was printed: %q", out.String())
			}
		})
	}
}
