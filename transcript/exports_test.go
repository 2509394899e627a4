package transcript

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// recordSessions writes one session per target to a new file, each with
// its events, as the shell does when :connect moves on to another server.
func recordSessions(t *testing.T, targets []string, events [][]proto.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "session.txt")
	start := time.Date(2002, 11, 13, 2, 20, 1, 0, time.UTC)
	var r *Recorder
	for i, target := range targets {
		h := Header{Version: "test", Target: target, Started: start}
		if i == 0 {
			var err error
			if r, _, err = Open(path, h, Options{}); err != nil {
				t.Fatal(err)
			}
		} else {
			r.NewSession(h)
		}
		for j, e := range events[i] {
			e.Time = start.Add(time.Duration(j) * time.Millisecond)
			r.Event(e)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHTMLTitle: the page's title names the server of every session in
// the file, each once, in order.
func TestHTMLTitle(t *testing.T) {
	t.Parallel()
	const smtp, pop3 = "smtp://127.0.0.1:2525", "pop3://127.0.0.1:1110"
	for _, tc := range []struct {
		name    string
		targets []string
		want    string
	}{
		{"one session", []string{smtp}, "mailsh transcript: smtp://127.0.0.1:2525"},
		{"two servers", []string{smtp, pop3}, "mailsh transcript: smtp://127.0.0.1:2525, pop3://127.0.0.1:1110"},
		{"back to the first", []string{smtp, pop3, smtp}, "mailsh transcript: smtp://127.0.0.1:2525, pop3://127.0.0.1:1110"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			events := make([][]proto.Event, len(tc.targets))
			for i := range events {
				events[i] = []proto.Event{s("220 ready")}
			}
			var b bytes.Buffer
			if err := ExportHTML(recordSessions(t, tc.targets, events), &b); err != nil {
				t.Fatal(err)
			}
			if want := "<title>" + tc.want + "</title>"; !strings.Contains(b.String(), want) {
				t.Errorf("page lacks %q:\n%s", want, b.String())
			}
		})
	}
}

// body returns a POP3 multi-line reply as the client reports it: the
// status line, n lines of text, and the terminating ".".
func body(status string, n int) []proto.Event {
	out := []proto.Event{s(status)}
	for i := 1; i <= n; i++ {
		out = append(out, proto.Event{Dir: proto.FromServer, Text: fmt.Sprintf("line %d", i), Body: true})
	}
	return append(out, proto.Event{Dir: proto.FromServer, Text: ".", Final: true})
}

// TestReplyLineCounts: a POP3 multi-line reply is labelled with the lines
// of its text, the terminating "." not counted, in the Markdown table and
// on the HTML diagram's arrows; an SMTP multi-line reply still counts its
// continuation lines.
func TestReplyLineCounts(t *testing.T) {
	t.Parallel()
	pop := []proto.Event{s("+OK ready")}
	pop = append(pop, c("RETR 1"))
	pop = append(pop, body("+OK 345 octets", 12)...)
	pop = append(pop, c("LIST"))
	pop = append(pop, body("+OK 0 messages", 0)...)
	pop = append(pop, c("TOP 1 0"))
	pop = append(pop, body("+OK", 1)...)
	pop = append(pop, c("STAT"), s("+OK 0 0"), c("QUIT"), s("+OK bye"))
	smtp := []proto.Event{s("220 ready"), c("EHLO me"), s("250-mx Hello"), s("250-PIPELINING"), s("250 HELP"), c("QUIT"), s("221 bye")}
	path := recordSessions(t, []string{"pop3://127.0.0.1:1110", "smtp://127.0.0.1:2525"}, [][]proto.Event{pop, smtp})
	var md, page bytes.Buffer
	if err := ExportMarkdown(path, &md); err != nil {
		t.Fatal(err)
	}
	if err := ExportHTML(path, &page); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		command, markdown, html string
	}{
		{"RETR 1", "| `RETR 1` | `+OK 345 octets` + 12 lines |", ">+OK 345 octets [12 lines]</text>"},
		{"LIST", "| `LIST` | `+OK 0 messages` + 0 lines |", ">+OK 0 messages [0 lines]</text>"},
		{"TOP 1 0", "| `TOP 1 0` | `+OK` + 1 lines |", ">+OK [1 lines]</text>"},
		{"STAT", "| `STAT` | `+OK 0 0` |", ">+OK 0 0</text>"},
		{"EHLO me", "| `EHLO me` | `250-mx Hello` |", ">250-mx Hello (+2 lines)</text>"},
	} {
		if !strings.Contains(md.String(), tc.markdown) {
			t.Errorf("%s: Markdown lacks %q:\n%s", tc.command, tc.markdown, md.String())
		}
		if !strings.Contains(page.String(), tc.html) {
			t.Errorf("%s: HTML lacks %q:\n%s", tc.command, tc.html, page.String())
		}
	}
}
