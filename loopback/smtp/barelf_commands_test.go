package smtp

import (
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// Command lines may end with a bare LF, as nc sends them without -C; a
// message text typed that way is refused whole, naming the line, and the
// session goes on.
func TestCommandLinesBareLF(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil)
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Line() // greeting
	c.Send("HELO nc\nMAIL FROM:<bob@x.org>\nRCPT TO:<alice@localhost>\nDATA\n")
	c.Converse(nil, `
S: 250 localhost Hello nc [127.0.0.1], pleased to meet you
S: 250 2.1.0 Sender <bob@x.org> OK
S: 250 2.1.5 Recipient <alice@localhost> OK, for the mailbox of alice
S: 354 *`)
	// "." and LF does not end the text (only CRLF "." CRLF does), so the
	// text typed that way is read on to its real end, and refused whole.
	c.Send("Subject: typed with nc\n\nhello\n.\n")
	c.Send("\r\n.\r\n")
	c.Converse(nil, `S: 550 5.5.2 Message refused: bare LF on line 1 *`)
	// The same commands, then the text with CRLF, deliver.
	c.Send("MAIL FROM:<bob@x.org>\nRCPT TO:<alice@localhost>\nDATA\n")
	c.Converse(nil, `
S: 250 2.1.0 Sender <bob@x.org> OK
S: 250 2.1.5 Recipient <alice@localhost> OK, for the mailbox of alice
S: 354 *
C: Subject: typed with nc -C
C:
C: hello
C: .
S: 250 2.0.0 *`)
	c.Send("QUIT\n")
	c.Converse(nil, `S: 221 2.0.0 localhost closing connection, goodbye`)
	if n := servertest.CountNew(t, ts.Root, "alice"); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
}
