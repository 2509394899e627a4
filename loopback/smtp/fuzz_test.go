package smtp

import (
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

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
	fs := servertest.NewFuzzServer(f, fuzzFaults, faultDialects...)
	f.Fuzz(func(t *testing.T, prefix string, data []byte) {
		fs.Session(t, Service, append([]byte(prefix), data...))
	})
}
