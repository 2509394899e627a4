package loopback

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
)

// fuzzServer is one server for all the inputs of a fuzz target; its log
// is watched for the "internal error" a recovered panic leaves.
type fuzzServer struct {
	*Server
	mu  sync.Mutex
	log bytes.Buffer
}

func (f *fuzzServer) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.log.Len() > 1<<20 {
		f.log.Reset()
	}
	return f.log.Write(p)
}

func newFuzzServer(f *testing.F) *fuzzServer {
	root := f.TempDir()
	store, err := OpenStore(filepath.Join(root, "mail"), nil)
	if err != nil {
		f.Fatal(err)
	}
	cert, err := SelfSignedCert(filepath.Join(root, "tls"), []string{"localhost"})
	if err != nil {
		f.Fatal(err)
	}
	faults, _ := ParseFaults([]string{"rcpt~*@grey.example:451", "pop3.top#2:-ERR"})
	fs := &fuzzServer{}
	fs.Server, err = New(Config{
		Accounts: []Account{{"demo", "secret"}},
		Store:    store,
		TLS:      cert.ServerConfig(),
		Faults:   faults,
		Limits:   Limits{MaxMessageSize: 4096, MaxRecipients: 5},
		Log:      log.New(fs, "", 0),
	})
	if err != nil {
		f.Fatal(err)
	}
	return fs
}

// session feeds input to one session over net.Pipe, as mox's fuzzers do:
// the server must answer without panicking and end when the client goes.
func (fs *fuzzServer) session(t *testing.T, svc Service, input []byte) {
	client, server := net.Pipe()
	deadline := time.Now().Add(10 * time.Second)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	ended := make(chan struct{})
	go func() {
		fs.serveConn(server, svc)
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

// FuzzSMTPSession fuzzes the SMTP side in every state: fresh, after HELO
// or EHLO, logged in, after MAIL, after RCPT, inside DATA, between BDAT
// chunks, and after a message refused for a bare LF.
func FuzzSMTPSession(f *testing.F) {
	const rcpt = "EHLO fuzz\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<demo@localhost>\r\n"
	prefixes := []string{
		"",
		"HELO fuzz\r\n",
		"EHLO fuzz\r\n",
		"EHLO fuzz\r\nAUTH PLAIN AGRlbW8Ac2VjcmV0\r\n",
		"EHLO fuzz\r\nMAIL FROM:<a@b.example>\r\n",
		rcpt,
		rcpt + "DATA\r\n",
		rcpt + "BDAT 3\r\nabc",
		rcpt + "DATA\r\nx\n.\n\r\n.\r\n",
	}
	seeds := []string{
		"DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n",
		"BDAT 4 LAST\r\nabcd",
		"BDAT 99999999999999999999\r\n",
		"RCPT TO:<x@grey.example>\r\nRCPT TO:<@a,@b:demo@localhost> NOTIFY=NEVER\r\n",
		"AUTH PLAIN\r\n=\r\nAUTH LOGIN\r\nZGVtbw==\r\nc2VjcmV0\r\n",
		"AUTH CRAM-MD5\r\nZGVtbyAwMDA=\r\n",
		"MAIL FROM:<\"a>b\"@x> SIZE=99999999 BODY=BINARYMIME SMTPUTF8=x\r\n",
		"HELP\r\nHELP DATA\r\nVRFY x\r\nNOOP\r\nRSET\r\n\r\n",
		"DATA\r\n" + strings.Repeat("x", 5000) + "\r\n.\r\n",
		"STARTTLS\r\n\x16\x03\x01\x00",
		// SMTP smuggling: fake ends of data, then a second transaction.
		"DATA\r\nSubject: s\r\n\r\nfirst\n.\nMAIL FROM:<e@x.org>\r\nRCPT TO:<demo@localhost>\r\nDATA\r\nx\r\n.\r\n",
		"DATA\r\na\r.\rRSET\r\n.\r\n",
		"DATA\r\na\r\n.\nQUIT\r\n.\r\n",
		"BDAT 5 LAST\r\na\nb\r\r\n",
	}
	for _, p := range prefixes {
		for _, s := range seeds {
			f.Add(p, []byte(s))
		}
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, prefix string, data []byte) {
		fs.session(t, SMTP, append([]byte(prefix), data...))
	})
}

// FuzzPOP3Session fuzzes the POP3 side before and after login.
func FuzzPOP3Session(f *testing.F) {
	for _, p := range []string{"", "USER demo\r\n", "USER demo\r\nPASS secret\r\n"} {
		for _, s := range []string{
			"STAT\r\nLIST\r\nUIDL 1\r\nRETR 1\r\nTOP 1 0\r\nTOP 1 x\r\nDELE 1\r\nRSET\r\nQUIT\r\n",
			"AUTH\r\nAUTH PLAIN\r\n*\r\nAUTH LOGIN ZGVtbw==\r\nc2VjcmV0\r\n",
			"APOP demo 0123456789abcdef0123456789abcdef\r\nCAPA\r\nSTLS\r\n",
			"RETR -1\r\nLIST 99999999999999999999\r\nDELE 0\r\n",
		} {
			f.Add(p, []byte(s))
		}
	}
	fs := newFuzzServer(f)
	// One message to read, so that the fuzzer reaches RETR and TOP.
	d, err := fs.cfg.Store.Begin(&Envelope{ID: "F", Recipients: []Recipient{{"demo@localhost", "demo"}}}, 0)
	if err != nil {
		f.Fatal(err)
	}
	d.Write([]byte("Subject: fuzz\r\n\r\n.line\r\nbody\r\n"))
	if _, err := d.Commit(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, prefix string, data []byte) {
		fs.session(t, POP3, append([]byte(prefix), data...))
	})
}

// FuzzParseFaults: any spec either parses into a rule or is refused with
// an error; never a panic.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"connect:554", "rcpt#3~*@x:452 4.5.3 text", "greylist=1s", "maxconn=2", "ext=SIZE", "pop3.busy~a*", "pop3.retr:-ERR [X] y", "a:b:c", "rcpt~[::1]:450"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fs, err := ParseFaults([]string{spec})
		if err == nil && fs.Empty() {
			t.Fatalf("%q parsed into no rule", spec)
		}
	})
}

// FuzzHeaderFixer: the fixer only ever inserts its fields (and perhaps a
// line break) in one place; every byte of the message passes through.
func FuzzHeaderFixer(f *testing.F) {
	for _, s := range []string{"Teste do mail\r\n", "Subject: x\r\n\r\nb", "Subject: x", "", " a\r\n", "Date: x\r\nMessage-ID: y\r\n\r\n"} {
		f.Add(s, 3)
	}
	const marker = "X-Added: 1\r\n"
	f.Fuzz(func(t *testing.T, in string, step int) {
		if step <= 0 {
			step = 1
		}
		var out bytes.Buffer
		h := newHeaderFixer(&out, func(present) []byte { return []byte(marker) })
		for s := in; s != ""; {
			n := min(step, len(s))
			h.Write([]byte(s[:n]))
			s = s[n:]
		}
		h.Close()
		got := out.String()
		i := strings.Index(got, marker)
		if i < 0 {
			if got != in {
				t.Fatalf("nothing added, yet %q became %q", in, got)
			}
			return
		}
		a, b := got[:i], got[i+len(marker):]
		if a+b == in || a+strings.TrimPrefix(b, "\r\n") == in || strings.TrimSuffix(a, "\r\n")+b == in {
			return
		}
		t.Fatalf("%q became %q", in, got)
	})
}
