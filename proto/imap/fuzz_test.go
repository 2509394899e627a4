package imap

import (
	"net"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// FuzzIMAPClient plays any bytes as an Protocol server's answers to a SELECT,
// a FETCH and a typed literal: the client must end with a reply or an
// error, never a panic or a hang, and learn no count past its cap.
func FuzzIMAPClient(f *testing.F) {
	for _, s := range []string{
		"a1 OK x\r\n",
		"* 3 EXISTS\r\n* FLAGS (\\Seen)\r\na1 OK [READ-WRITE] ok\r\n",
		"* 1 FETCH (UID 7 BODY[] {5}\r\nab\r\nc)\r\na1 OK\r\n",
		"* 1 FETCH (BODY[] {99}\r\nshort",
		"+ go\r\n* BYE\r\n",
		"* LIST () \".\" {3}\r\nabc\r\na1 OK\r\n",
		"a9 OK stray\r\na1 NO [TRYCREATE] x\r\n",
		"* 4294967296 EXISTS\r\n* 1 EXPUNGE\r\na1 OK\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cc, sc := net.Pipe()
		go func() {
			defer sc.Close()
			sc.Write([]byte("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] ok\r\n"))
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := sc.Read(buf); err != nil {
						return
					}
				}
			}()
			sc.Write(data)
		}()
		c := proto.NewClient(cc, Protocol, nil)
		c.Timeout = 200 * time.Millisecond
		defer c.Close()
		if _, err := c.Greeting(); err != nil {
			return
		}
		for _, line := range []string{"SELECT INBOX", "FETCH 1 BODY[]", "APPEND INBOX {3+}", "abc"} {
			if _, _, err := c.Command(line); err != nil {
				return
			}
		}
		if n := c.Machine.Snapshot().Count; n > proto.MaxMessages {
			t.Fatalf("count %d", n)
		}
	})
}

// FuzzIMAPParse reads any line as a status response and as untagged data
// to learn from.
func FuzzIMAPParse(f *testing.F) {
	for _, s := range []string{
		"a1 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] x", "* OK [", "+ ", "* LIST (\\X) \"/\" \"a\\\"b\"",
		"* 2 FETCH (UID 3 FLAGS (\\Seen) RFC822.SIZE 44)", "* 1 EXPUNGE", "* CAPABILITY", "* ((((", `* LIST () "." "`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if rep, err := ParseStatus([]byte(line)); err == nil && rep.Class() == proto.ClassUnknown {
			t.Fatalf("accepted %q without a class", line)
		}
		literalAt(line)
		m := proto.NewMachine(Protocol)
		m.Locked(func(s *proto.Session) { untagged(s, line) })
		if n := m.Snapshot().Count; n > proto.MaxMessages {
			t.Fatalf("count %d", n)
		}
	})
}
