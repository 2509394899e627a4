package proto_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
)

// Over implicit TLS the note "TLS started" comes before the greeting,
// which was read over that TLS: a transcript shows them in that order,
// however soon the greeting follows the handshake.
func TestImplicitTLSNoteBeforeGreeting(t *testing.T) {
	t.Parallel()
	cert, err := loopback.SelfSignedCert(filepath.Join(t.TempDir(), "tls"), []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cert.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.WriteString(c, "220 at once\r\n") // the handshake runs first
				io.Copy(io.Discard, c)
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	target := proto.Target{Proto: smtp.Protocol, Host: "127.0.0.1", Port: p, ImplicitTLS: true}
	// The reader goroutine used to race the note: try it many times.
	for i := range 100 {
		var mu sync.Mutex
		var events []proto.Event
		o := proto.DialOptions{Timeout: 10 * time.Second, TLSConfig: &tls.Config{RootCAs: cert.Pool(), ServerName: "localhost"},
			Observe: func(e proto.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }}
		c, _, err := proto.Dial(context.Background(), target, o)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		mu.Lock()
		if len(events) < 2 || events[0].Dir != proto.Note || events[1].Dir != proto.FromServer {
			t.Fatalf("dial %d: events %+v, want the TLS note, then the greeting", i+1, events)
		}
		mu.Unlock()
	}
}
