package pop3

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

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
	fs := servertest.NewFuzzServer(f, fuzzFaults, faultDialects...)
	// One message to read, so that the fuzzer reaches RETR and TOP.
	d, err := fs.Store().Begin(&loopback.Envelope{ID: "F", Recipients: []loopback.Recipient{{Addr: "demo@localhost", Account: "demo"}}}, 0)
	if err != nil {
		f.Fatal(err)
	}
	d.Write([]byte("Subject: fuzz\r\n\r\n.line\r\nbody\r\n"))
	if _, err := d.Commit(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, prefix string, data []byte) {
		// Inputs of odd length log in to a maildrop listed after the
		// login's reply (Store.LargeListing of 1 octet calls any large);
		// the others to one listed before it. Sessions run one at a time.
		fs.Store().LargeListing = int64(len(data) % 2)
		fs.Session(t, Service, append([]byte(prefix), data...))
	})
}
