package pop3

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

func sscanf(s, format string, args ...any) (int, error) { return fmt.Sscanf(s, format, args...) }

func bdatLast(text string) string { return fmt.Sprintf("BDAT %d LAST\r\n%s", len(text), text) }

// readDotBody reads a multi-line POP3 response's body as sent, up to the
// terminating "." line (RFC 1939 §3), splitting lines at CRLF only, and
// returns it with the stuffed "." of each line removed: the message as
// the client holds it, which is what POP3 sizes count (RFC 1939 §11).
func readDotBody(c *servertest.Client) []byte {
	c.T.Helper()
	var raw []byte
	for {
		b, err := c.BR.ReadByte()
		if err != nil {
			c.T.Fatalf("reading a multi-line response: %v (so far %q)", err, raw)
		}
		raw = append(raw, b)
		if string(raw) == ".\r\n" {
			return nil
		}
		if bytes.HasSuffix(raw, []byte("\r\n.\r\n")) {
			raw = raw[:len(raw)-3]
			break
		}
	}
	var out []byte
	for _, line := range bytes.SplitAfter(raw, []byte("\r\n")) {
		if len(line) > 0 && line[0] == '.' {
			line = line[1:]
		}
		out = append(out, line...)
	}
	return out
}

// POP3 sizes (STAT, LIST, RETR's "+OK n octets", and the ",W=" of the
// names the server gives) are the octets RETR sends, whatever the file
// holds: bare CRs, bare LFs, CRLFs, lines of ".", no final line ending, an
// empty file. A bare CR before a line ending survives delivery.
func TestPOP3SizesAreWhatRETRSends(t *testing.T) {
	t.Parallel()
	ts := startServer(t, func(cfg *loopback.Config) {
		// Lenient DATA, to deliver a bare CR as older servers stored it.
		f, err := loopback.ParseFaults([]string{"smuggle:lenient"}, faultDialects...)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Faults = f
	})
	c := servertest.Dial(t, ts.Addrs[smtpserver.Service])
	c.EHLO()
	for _, body := range []string{
		"DATA\r\nSubject: cr\r\n\r\nx\r\r\ny\r\n.\r\n",     // bare CR before CRLF
		"DATA\r\nSubject: dots\r\n\r\n..\r\n...x\r\n.\r\n", // lines of "."
		"DATA\r\nSubject: lf\r\n\r\na\nb\rc\r\n.\r\n",      // bare LF, bare CR
		bdatLast("Subject: bdat\r\n\r\nno end"),            // no final CRLF
		bdatLast("Subject: bdat\r\n\r\nend\r"),             // a final CR
	} {
		c.Send("MAIL FROM:<bob@x.org>\r\nRCPT TO:<alice@localhost>\r\n" + body)
		for _, want := range []string{"250 ", "250 "} {
			if l := c.Line(); !strings.HasPrefix(l, want) {
				t.Fatalf("sending %q: %q", body, l)
			}
		}
		if strings.HasPrefix(body, "DATA") {
			if l := c.Line(); !strings.HasPrefix(l, "354 ") {
				t.Fatalf("sending %q: %q", body, l)
			}
		}
		if l := c.Line(); !strings.HasPrefix(l, "250 2.0.0 ") {
			t.Fatalf("sending %q: %q", body, l)
		}
	}
	c.Send("QUIT\r\n")
	c.Line()
	// Files another program wrote: no ",W=", anything in them.
	dropped := []string{
		"Subject: by hand\r\n\r\nbare\rCR\nbare LF\r\n.\n..\r\n.\r\nlast line",
		".starts with a dot\n\n.\n",
		"\n\r\n\r\r\r\n\n.",
		"ends in CR\r",
		"",
		"\x00",
	}
	for i, text := range dropped {
		name := filepath.Join(ts.Root, "alice", "cur", fmt.Sprintf("1%09d.M%06dP1Q1.elsewhere:2,S", i, i))
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The ",W=" of each delivered file, by the unique part of its name.
	named := map[string]int64{}
	for _, p := range servertest.MaildirFiles(t, ts.Root, "alice", "new") {
		w, ok := loopback.NameSize(filepath.Base(p))
		if !ok {
			t.Fatalf("%s has no ,W=", p)
		}
		named[loopback.UniquePart(filepath.Base(p))] = w
	}
	if len(named) != 5 {
		t.Fatalf("%d messages delivered, want 5", len(named))
	}

	p := servertest.Dial(t, ts.Addrs[Service])
	p.Line()
	p.Send("USER alice\r\nPASS wonderland\r\n")
	p.Line()
	if l := p.Line(); !strings.HasPrefix(l, "+OK Logged in") {
		t.Fatal(l)
	}
	p.Send("STAT\r\n")
	f := strings.Fields(p.Line())
	if len(f) < 3 || f[0] != "+OK" {
		t.Fatalf("STAT: %v", f)
	}
	count, _ := strconv.Atoi(f[1])
	statSize, _ := strconv.ParseInt(f[2], 10, 64)
	if count != len(named)+len(dropped) {
		t.Fatalf("STAT counts %d messages, want %d", count, len(named)+len(dropped))
	}
	p.Send("LIST\r\n")
	if l := p.Line(); !strings.HasPrefix(l, "+OK") {
		t.Fatal(l)
	}
	listed := map[int]int64{}
	for _, l := range strings.Split(strings.TrimSuffix(string(readDotBody(p)), "\r\n"), "\r\n") {
		var n int
		var size int64
		if _, err := sscanf(l, "%d %d", &n, &size); err != nil {
			t.Fatalf("LIST line %q: %v", l, err)
		}
		listed[n] = size
	}
	p.Send("UIDL\r\n")
	p.Line()
	uids := map[int]string{}
	for _, l := range strings.Split(strings.TrimSuffix(string(readDotBody(p)), "\r\n"), "\r\n") {
		n, uid, _ := strings.Cut(l, " ")
		k, _ := strconv.Atoi(n)
		uids[k] = uid
	}
	var total int64
	sawCR := false
	for n := 1; n <= count; n++ {
		p.Send(fmt.Sprintf("RETR %d\r\n", n))
		l := p.Line()
		var octets int64
		if _, err := sscanf(l, "+OK %d octets", &octets); err != nil {
			t.Fatalf("RETR %d: %q", n, l)
		}
		body := readDotBody(p)
		sent := int64(len(body))
		if octets != sent || listed[n] != sent {
			t.Errorf("message %d: LIST says %d, RETR says %d octets, RETR sent %d: %q", n, listed[n], octets, sent, body)
		}
		if w, ok := named[uids[n]]; ok && w != sent {
			t.Errorf("message %d: ,W=%d in the name, RETR sent %d: %q", n, w, sent, body)
		}
		if bytes.Contains(body, []byte("\nx\r\r\ny\r\n")) {
			sawCR = true
		}
		total += sent
	}
	if statSize != total {
		t.Errorf("STAT says %d octets, RETR sent %d in all", statSize, total)
	}
	if !sawCR {
		t.Error(`the bare CR of "x\r\r\n" was lost in the Maildir`)
	}
	p.Send("QUIT\r\n")
	p.Line()
}
