package imap_test

import (
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// FuzzIMAPSession feeds a client's bytes to the built-in IMAP server, as
// a hostile or broken client would send them: before login, after it,
// with a mailbox selected, in literals, in IDLE. The server must neither
// panic nor hang: each session ends once the client has sent all and
// closed its side. The seeds log in, so that most inputs reach the
// commands after it.
func FuzzIMAPSession(f *testing.F) {
	ts := startServer(f, filepath.Join(f.TempDir(), "Maildir"))
	ts.send(f, "one", "line one\r\n")
	ts.send(f, "two", "line two\r\n")
	for _, seed := range []string{
		"a1 CAPABILITY\r\na2 NOOP\r\na3 LOGOUT\r\n",
		"a1 LOGIN demo secret\r\na2 SELECT INBOX\r\na3 FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER] BODY[]<0.5>)\r\n",
		"a1 LOGIN demo secret\r\na2 SELECT INBOX\r\na3 UID SEARCH OR FROM alice BODY two\r\na4 STORE 1 +FLAGS (\\Seen \\Deleted)\r\na5 EXPUNGE\r\n",
		"a1 LOGIN demo secret\r\na2 APPEND INBOX (\\Seen) {12}\r\nSubject: x\r\n\r\na3 APPEND INBOX {5+}\r\nhello\r\n",
		"a1 LOGIN demo secret\r\na2 CREATE Sent\r\na3 SELECT INBOX\r\na4 COPY 1 Sent\r\na5 MOVE 2 Sent\r\na6 STATUS Sent (MESSAGES UIDNEXT SIZE)\r\na7 RENAME Sent Archive\r\na8 LIST \"\" *\r\n",
		"a1 AUTHENTICATE PLAIN\r\nAGRlbW8Ac2VjcmV0\r\na2 EXAMINE INBOX\r\na3 IDLE\r\nDONE\r\n",
		"a1 LOGIN {4}\r\ndemo {6}\r\nsecret\r\na2 SELECT \"INBOX\"\r\na3 FETCH * BINARY[1]\r\n",
		"a1 LOGIN demo secret\r\na2 APPEND INBOX {99999999999}\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("tcp", ts.imap)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(in); err != nil {
			return // the server closed first: refused, or a line too long
		}
		c.(*net.TCPConn).CloseWrite()
		if _, err := io.Copy(io.Discard, c); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the session did not end within 10 s of the client's last byte")
			}
		}
	})
}
