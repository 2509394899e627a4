package servertest

import (
	"bytes"
	"io"
	"log"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// FuzzServer is one server for all the inputs of a fuzz target; its log
// is watched for the "internal error" a recovered panic leaves.
type FuzzServer struct {
	*loopback.Server
	mu  sync.Mutex
	log bytes.Buffer
}

func (f *FuzzServer) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.log.Len() > 1<<20 {
		f.log.Reset()
	}
	return f.log.Write(p)
}

// NewFuzzServer makes the server, with the fault rules faults (in the
// dialects given) in force.
func NewFuzzServer(f *testing.F, faults []string, dialects ...*loopback.FaultDialect) *FuzzServer {
	root := f.TempDir()
	store, err := loopback.OpenStore(filepath.Join(root, "mail"), nil)
	if err != nil {
		f.Fatal(err)
	}
	cert, err := loopback.SelfSignedCert(filepath.Join(root, "tls"), []string{"localhost"})
	if err != nil {
		f.Fatal(err)
	}
	rules, _ := loopback.ParseFaults(faults, dialects...)
	fs := &FuzzServer{}
	fs.Server, err = loopback.New(loopback.Config{
		Accounts: []loopback.Account{{Name: "demo", Password: "secret"}},
		Store:    store,
		TLS:      cert.ServerConfig(),
		Faults:   rules,
		// Failed logins wait milliseconds: the fuzzer tries thousands,
		// and at the default delays (up to 15 s each) its workers would
		// sit in the waits until the fuzzer took them for hung.
		Limits: loopback.Limits{MaxMessageSize: 4096, MaxRecipients: 5,
			AuthFailureDelay: time.Millisecond, MaxAuthFailureDelay: 4 * time.Millisecond},
		Log: log.New(fs, "", 0),
	})
	if err != nil {
		f.Fatal(err)
	}
	return fs
}

// Session feeds input to one session over net.Pipe, as mox's fuzzers do:
// the server must answer without panicking and end when the client goes.
func (fs *FuzzServer) Session(t *testing.T, svc *loopback.Service, input []byte) {
	client, server := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	ended := make(chan struct{})
	go func() {
		fs.ServeConn(server, svc)
		close(ended)
	}()
	go io.Copy(io.Discard, client)
	client.Write(input)
	client.Close()
	select {
	case <-ended:
	case <-time.After(15 * time.Second):
		t.Fatalf("session did not end after the client left; input %q", input)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if strings.Contains(fs.log.String(), "internal error") {
		t.Fatalf("server panicked on %q:\n%s", input, fs.log.String())
	}
}
