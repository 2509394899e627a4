package transcript

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// record writes a session through a Recorder, as the shell does.
func record(t *testing.T, opts Options, events []proto.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "session.txt")
	start := time.Date(2002, 11, 13, 2, 20, 1, 0, time.UTC)
	r, appended, err := Open(path, Header{Version: "test", Target: "smtp://127.0.0.1:2525", Started: start}, opts)
	if err != nil || appended {
		t.Fatalf("open: %v %v", err, appended)
	}
	for i, e := range events {
		e.Time = start.Add(time.Duration(i) * 1500 * time.Microsecond)
		r.Event(e)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func c(text string) proto.Event { return proto.Event{Dir: proto.FromClient, Text: text} }
func s(text string) proto.Event { return proto.Event{Dir: proto.FromServer, Text: text} }

// The lecture's Sendmail session.
var lecture = []proto.Event{
	s("220 mail.ipleiria.pt ESMTP Sendmail 8.12.5/8.12.5; Wed, 13 Nov 2002 02:20:01 GMT"),
	c("helo mail"),
	s("250 mail.ipleiria.pt Hello localhost.localdomain [127.0.0.1], pleased to meet you"),
	c("mail from: antunes@ipleiria.pt"),
	s("250 2.1.0 antunes@ipleiria.pt... Sender ok"),
	c("rcpt to: antunes@ipleiria.pt"),
	s("250 2.1.5 antunes@ipleiria.pt... Recipient ok"),
	c("data"),
	s(`354 Enter mail, end with "." on a line by itself`),
	{Dir: proto.FromClient, Text: "Teste do mail", Body: true},
	{Dir: proto.FromClient, Text: "..hidden | ```x```", Body: true},
	c("."),
	s("250 2.0.0 gAD2K1Rv016861 Message accepted for delivery"),
	c("quit"),
	s("221 2.0.0 mail.ipleiria.pt closing connection"),
	{Dir: proto.Note, Text: "connection closed"},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./transcript -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestRecordLecture(t *testing.T) {
	path := record(t, Options{}, lecture)
	b, _ := os.ReadFile(path)
	golden(t, "lecture.txt", b)
	sessions, err := ReadAll(bytes.NewReader(b))
	if err != nil || len(sessions) != 1 || len(sessions[0].Entries) != len(lecture) {
		t.Fatalf("read back: %v %+v", err, sessions)
	}
	e := sessions[0].Entries[10]
	if e.Dir != ClientBody || e.Text != "..hidden | ```x```" || e.Time.Sub(sessions[0].Header.Started) != 15*time.Millisecond {
		t.Errorf("entry 10: %+v", e)
	}
}

func TestExports(t *testing.T) {
	path := record(t, Options{}, lecture)
	for _, f := range []struct {
		name string
		fn   func(string, *bytes.Buffer) error
	}{
		{"lecture.md", func(p string, b *bytes.Buffer) error { return ExportMarkdown(p, b) }},
		{"lecture.html", func(p string, b *bytes.Buffer) error { return ExportHTML(p, b) }},
		{"lecture.jsonl", func(p string, b *bytes.Buffer) error { return ExportJSON(p, b) }},
	} {
		var b bytes.Buffer
		if err := f.fn(path, &b); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		golden(t, f.name, b.Bytes())
	}
}

func TestExportJSONIsValid(t *testing.T) {
	var b bytes.Buffer
	if err := ExportJSON(record(t, Options{}, lecture), &b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(lecture)+1 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
	}
}

func TestMarkdownTable(t *testing.T) {
	var b bytes.Buffer
	ExportMarkdown(record(t, Options{}, lecture), &b)
	md := b.String()
	for _, want := range []string{
		"| 0 | (greeting) | `220 mail.ipleiria.pt",
		"| 5 | `.` (after 2 lines of message text) | `250 2.0.0 gAD2K1Rv016861 Message accepted for delivery` | 1.5 ms | requested action okay, completed; 2.0.0 success",
		"| 4 | `data` | `354 Enter mail",
		"````\n", // a fence longer than the ``` inside a line
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRedaction(t *testing.T) {
	events := []proto.Event{
		s("+OK ready"),
		{Dir: proto.FromClient, Text: "PASS [redacted]", Secret: true},
		{Dir: proto.FromClient, Text: "[redacted]", Secret: true},
	}
	b, _ := os.ReadFile(record(t, Options{}, events))
	if !strings.Contains(string(b), "C: PASS [redacted]") || !strings.Contains(string(b), "# redaction: on") {
		t.Fatalf("%s", b)
	}
	// With redaction off the secret goes in (from Raw) and the header says so.
	events[1].Raw = "PASS tanstaaf"
	b, _ = os.ReadFile(record(t, Options{NoRedact: true}, events))
	if !strings.Contains(string(b), "C: PASS tanstaaf") || !strings.Contains(string(b), "# redaction: off") {
		t.Fatalf("%s", b)
	}
}

func TestAbbreviate(t *testing.T) {
	events := []proto.Event{s("+OK 5 octets")}
	for i := 0; i < 10; i++ {
		events = append(events, proto.Event{Dir: proto.FromServer, Text: "line", Body: true})
	}
	events = append(events, proto.Event{Dir: proto.FromServer, Text: ".", Final: true}, c("QUIT"))
	b, _ := os.ReadFile(record(t, Options{BodyLines: 3}, events))
	got := string(b)
	if strings.Count(got, "S| line") != 3 || !strings.Contains(got, "* [7 more lines of message text (42 octets) not recorded]") {
		t.Fatalf("%s", got)
	}
}

func TestNeverOverwrites(t *testing.T) {
	path := record(t, Options{}, lecture)
	before, _ := os.ReadFile(path)
	r, appended, err := Open(path, Header{Version: "test", Target: "pop3://127.0.0.1:1110", Started: time.Now()}, Options{})
	if err != nil || !appended {
		t.Fatalf("open existing: %v %v", err, appended)
	}
	r.Event(s("+OK ready"))
	r.Close()
	after, _ := os.ReadFile(path)
	if !bytes.HasPrefix(after, before) {
		t.Fatal("the old transcript was changed")
	}
	sessions, err := ReadAll(bytes.NewReader(after))
	if err != nil || len(sessions) != 2 || sessions[1].Header.Target != "pop3://127.0.0.1:1110" {
		t.Fatalf("%v %+v", err, sessions)
	}
	if _, _, err := Open(t.TempDir(), Header{}, Options{}); err == nil {
		t.Error("a directory accepted as a transcript")
	}
}

func TestMidnight(t *testing.T) {
	in := Magic + "\n# target: smtp://x:25\n# started: 2026-11-27T23:59:59.900+00:00\n\n23:59:59.950000 S: 220 x\n00:00:00.010000 C: QUIT\n"
	sessions, err := ReadAll(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	e := sessions[0].Entries
	if d := e[1].Time.Sub(e[0].Time); d != 60*time.Millisecond {
		t.Errorf("across midnight: %v", d)
	}
}

func TestReadErrors(t *testing.T) {
	for _, in := range []string{"", "hello\n", Magic + "\n# started: nope\n\n", Magic + "\n# started: 2026-11-27T23:59:59.900+00:00\n\n12:00 S: x\n", Magic + "\n# started: 2026-11-27T23:59:59.900+00:00\n\n12:00:00.000 X: x\n"} {
		if _, err := ReadAll(strings.NewReader(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
