package loopback

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// MessageFiles reads each message whole, whatever its size against the
// reader's buffer, and still finds a message whose directory was replaced
// after it was opened once.
func TestMessageFiles(t *testing.T) {
	root := t.TempDir()
	s, err := OpenStore(root, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	cur := filepath.Join(s.Maildir("a"), "cur")
	sizes := []int{0, 1, 4095, 4096, 32 << 10, 32<<10 + 1, 100000}
	texts := map[string][]byte{}
	for i, n := range sizes {
		text := bytes.Repeat([]byte{byte('a' + i)}, n)
		name := sizedName(s.uniqueName(time.Now()), int64(n), int64(n)) + ":2,"
		if err := os.WriteFile(filepath.Join(cur, name), text, 0o600); err != nil {
			t.Fatal(err)
		}
		texts[name] = text
	}
	msgs, err := s.ScanMaildrop("a")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(sizes) {
		t.Fatalf("%d messages listed, want %d", len(msgs), len(sizes))
	}
	mf := s.MessageFiles("a")
	defer mf.Close()
	read := func(m *Message) []byte {
		t.Helper()
		f, err := mf.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// Reads of 32 KiB, as RETR makes them.
		var out bytes.Buffer
		buf := make([]byte, 32<<10)
		if _, err := io.CopyBuffer(struct{ io.Writer }{&out}, struct{ io.Reader }{f}, buf); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	for _, m := range msgs {
		if got, want := read(m), texts[filepath.Base(m.Path)]; !bytes.Equal(got, want) {
			t.Errorf("%s: read %d octets, want %d", filepath.Base(m.Path), len(got), len(want))
		}
	}
	// Another program replaces cur/ (the old one moved aside); the
	// directory held open is the old one.
	if err := os.Rename(cur, cur+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(cur, 0o700); err != nil {
		t.Fatal(err)
	}
	m := msgs[len(msgs)-1]
	name := filepath.Base(m.Path)
	if err := os.Remove(filepath.Join(cur+".old", name)); err != nil {
		t.Fatal(err)
	}
	replaced := []byte(strings.Repeat("z", len(texts[name])))
	if err := os.WriteFile(filepath.Join(cur, name), replaced, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := read(m); !bytes.Equal(got, replaced) {
		t.Errorf("after cur/ was replaced: read %.10q…, want the file now in cur/", got)
	}
}
