package loopback_test

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
)

// FuzzParseFaults: any spec either parses into a rule or is refused with
// an error; never a panic.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"connect:554", "rcpt#3~*@x:452 4.5.3 text", "greylist=1s", "maxconn=2", "ext=SIZE", "pop3.busy~a*", "pop3.retr:-ERR [X] y", "a:b:c", "rcpt~[::1]:450"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fs, err := loopback.ParseFaults([]string{spec}, faultDialects...)
		if err == nil && fs.Empty() {
			t.Fatalf("%q parsed into no rule", spec)
		}
	})
}
