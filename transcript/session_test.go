package transcript

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// oldHeader is a header as files written before sessions were numbered
// have it.
func oldHeader(target string) string {
	return Magic + "\n# version: 0.1.0\n# target: " + target + "\n# started: 2002-11-13T02:20:01.000Z\n# redaction: on\n\n"
}

var sessionLine = regexp.MustCompile(`(?m)^# session: (\d+)$`)

// TestSessionNumbers appends sessions to files that hold none, old
// unnumbered sessions, numbered ones and long lines of message text: each
// new header carries the next number, every header still begins with
// Magic (which older readers look for), and the reader and the JSON export
// give the numbers of the file.
func TestSessionNumbers(t *testing.T) {
	t.Parallel()
	long := "02:20:01.500000 S| " + strings.Repeat("x", 200<<10) + "\n"
	for _, tc := range []struct {
		name     string
		existing string // "" for no file
		more     int    // sessions begun with NewSession after Open
		want     []int  // every session's number, old ones included
		written  []int  // the numbers this recording wrote in "# session:" lines
	}{
		{"new file", "", 2, []int{1, 2, 3}, []int{1, 2, 3}},
		{"unnumbered sessions", oldHeader("smtp://a:25") + "02:20:01.000000 S: 220 a\n\n" + oldHeader("pop3://b:110"), 1, []int{1, 2, 3, 4}, []int{3, 4}},
		{"numbered sessions", Magic + "\n# session: 6\n" + oldHeader("smtp://a:25")[len(Magic)+1:] + "\n" + Magic + "\n# session: 7\n" + oldHeader("smtp://a:25")[len(Magic)+1:], 0, []int{6, 7, 8}, []int{8}},
		{"unnumbered after numbered", Magic + "\n# session: 4\n" + oldHeader("smtp://a:25")[len(Magic)+1:] + oldHeader("smtp://b:25"), 0, []int{4, 5, 6}, []int{6}},
		{"long line and a stray comment", oldHeader("pop3://b:110") + long + "# session: 9\n" + long, 1, []int{1, 2, 3}, []int{2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "session.txt")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			h := Header{Version: "test", Target: "smtp://127.0.0.1:2525", Started: time.Date(2002, 11, 13, 2, 20, 1, 0, time.UTC)}
			r, _, err := Open(path, h, Options{})
			if err != nil {
				t.Fatal(err)
			}
			r.Event(s("220 ready"))
			for i := 0; i < tc.more; i++ {
				r.NewSession(h)
				r.Event(s("220 ready"))
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var written []int
			for _, m := range sessionLine.FindAllStringSubmatch(string(b[len(tc.existing):]), -1) {
				n, _ := strconv.Atoi(m[1])
				written = append(written, n)
			}
			if !equalInts(written, tc.written) {
				t.Errorf("the new headers say sessions %v, want %v:\n%s", written, tc.written, b[len(tc.existing):])
			}
			if got := strings.Count("\n"+string(b), "\n"+Magic+"\n"); got != len(tc.want) {
				t.Errorf("%d headers begin with %q, want %d", got, Magic, len(tc.want))
			}
			if n, err := LastSession(bytes.NewReader(b)); err != nil || n != tc.want[len(tc.want)-1] {
				t.Errorf("LastSession = %d, %v; want %d", n, err, tc.want[len(tc.want)-1])
			}
			sessions, err := ReadAll(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			var read []int
			for _, s := range sessions {
				read = append(read, s.Header.Session)
			}
			if !equalInts(read, tc.want) {
				t.Errorf("reader numbers %v, want %v", read, tc.want)
			}
			var js bytes.Buffer
			if err := ExportJSON(path, &js); err != nil {
				t.Fatal(err)
			}
			var exported []int
			dec := json.NewDecoder(&js)
			for {
				var l jsonLine
				if err := dec.Decode(&l); err == io.EOF {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if l.Type == "session" {
					exported = append(exported, l.Session)
				}
			}
			if !equalInts(exported, tc.want) {
				t.Errorf("JSON sessions %v, want %v", exported, tc.want)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLastSessionStreams counts the headers of a transcript whose message
// text is one line far longer than any buffer (longer than the Reader
// accepts), without failing on it.
func TestLastSessionStreams(t *testing.T) {
	t.Parallel()
	huge := io.LimitReader(repeat('x'), 8<<20)
	r := io.MultiReader(strings.NewReader(oldHeader("pop3://b:110")+"02:20:01.500000 S| "), huge,
		strings.NewReader("\n\n"+oldHeader("smtp://a:25")))
	if n, err := LastSession(r); err != nil || n != 2 {
		t.Fatalf("LastSession = %d, %v; want 2", n, err)
	}
}

// repeat is an endless reader of one byte.
type repeat byte

func (c repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}
