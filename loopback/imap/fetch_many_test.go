package imap_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestFetchMany fetches many messages in one command, over a plain
// connection, STARTTLS and IMAPS: the responses, gathered into large
// writes, arrive whole and in order, small messages and ones larger than
// a write, and the session goes on as usual afterwards.
func TestFetchMany(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	if err := os.MkdirAll(filepath.Join(ts.maildir(), "new"), 0o700); err != nil {
		t.Fatal(err)
	}
	const n = 300
	want := make([][]byte, n)
	for i := range n {
		body := fmt.Sprintf("Subject: m%d\n\n", i)
		switch {
		case i%97 == 5:
			body += strings.Repeat("a long line of text\n", 5000) // 100 KB, more than a write
		case i%13 == 0:
			body += "bare\rCR, CRLF\r\nand no final line ending"
		default:
			body += strings.Repeat("x", i) + "\n"
		}
		name := fmt.Sprintf("1700000000.M%06dP1Q%d.test", i, i)
		if err := os.WriteFile(filepath.Join(ts.maildir(), "new", name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		w := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
		if !strings.HasSuffix(w, "\r\n") {
			w += "\r\n"
		}
		want[i] = []byte(w)
	}
	dial := map[string]func() (*imapclient.Client, error){
		"plain": func() (*imapclient.Client, error) { return imapclient.DialInsecure(ts.imap, nil) },
		"STARTTLS": func() (*imapclient.Client, error) {
			return imapclient.DialStartTLS(ts.imap, &imapclient.Options{TLSConfig: ts.tls})
		},
		"IMAPS": func() (*imapclient.Client, error) {
			return imapclient.DialTLS(ts.imaps, &imapclient.Options{TLSConfig: ts.tls})
		},
	}
	for _, how := range []string{"plain", "STARTTLS", "IMAPS"} {
		c, err := dial[how]()
		if err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		if err := c.Login(user, pass).Wait(); err != nil {
			t.Fatalf("%s: LOGIN: %v", how, err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("%s: SELECT: %v", how, err)
		}
		peek := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
			UID: true, Flags: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{peek},
		}).Collect()
		if err != nil {
			t.Fatalf("%s: FETCH: %v", how, err)
		}
		if len(msgs) != n {
			t.Fatalf("%s: FETCH 1:* gave %d messages, want %d", how, len(msgs), n)
		}
		for i, m := range msgs {
			if m.SeqNum != uint32(i+1) || m.UID != imap.UID(i+1) {
				t.Fatalf("%s: response %d is message %d, UID %d", how, i+1, m.SeqNum, m.UID)
			}
			if b := m.FindBodySection(peek); !bytes.Equal(b, want[i]) || m.RFC822Size != int64(len(want[i])) {
				t.Fatalf("%s: message %d: RFC822.SIZE %d, BODY.PEEK[] %.60q…, want %d octets %.60q…", how, i+1, m.RFC822Size, b, len(want[i]), want[i])
			}
		}
		// Written through again: a NOOP and a one-message FETCH answer.
		if err := c.Noop().Wait(); err != nil {
			t.Fatalf("%s: NOOP after FETCH: %v", how, err)
		}
		one, err := c.Fetch(imap.SeqSetNum(n), &imap.FetchOptions{RFC822Size: true}).Collect()
		if err != nil || len(one) != 1 || one[0].RFC822Size != int64(len(want[n-1])) {
			t.Fatalf("%s: FETCH %d: %v %+v", how, n, err, one)
		}
		if err := c.Logout().Wait(); err != nil {
			t.Fatalf("%s: LOGOUT: %v", how, err)
		}
		c.Close()
	}
}
