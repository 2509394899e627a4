package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestSaveByteForByte decodes parts of the corpus and compares them with
// the originals they were made from: base64 and quoted-printable are
// undone, the charset is left alone.
func TestSaveByteForByte(t *testing.T) {
	for _, tc := range []struct {
		msg, part string
		want      []byte
	}{
		{"lecture-ppt.eml", "2", readFile(t, "testdata/corpus/lecture-slides.ppt")},
		{"lecture-ppt.eml", "1", []byte("Segue em anexo o ficheiro com os slides do capitulo 6.\n")},
		{"alternative-latin1.eml", "1", readFile(t, "testdata/corpus/alternative-latin1.plain")},
		{"alternative-latin1.eml", "2", readFile(t, "testdata/corpus/alternative-latin1.html")},
		{"nested.eml", "1.1.1", readFile(t, "testdata/corpus/nested-plain.txt")},
		{"nested.eml", "1.2", readFile(t, "testdata/corpus/nested.png")},
		{"nested.eml", "2", readFile(t, "testdata/corpus/nested.pdf")},
		{"nested.eml", "3.1", []byte("Pre\xe7o: 10 \x80 \x97 \x93obrigado\x94\r\n")},
		{"windows-1252.eml", "1", readFile(t, "testdata/corpus/windows-1252.txt")},
		{"digest.eml", "2.1", []byte("two")},
	} {
		t.Run(tc.msg+"/"+tc.part, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			s, err := Save(open(t, "testdata/corpus/"+tc.msg), tc.part, out, false)
			if err != nil {
				t.Fatal(err)
			}
			got := readFile(t, out)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("saved %q\nwant  %q", clip(string(got), 200), clip(string(tc.want), 200))
			}
			if s.Bytes != int64(len(tc.want)) || s.SHA256 != sha(tc.want) {
				t.Errorf("reported %d bytes, %s", s.Bytes, s.SHA256)
			}
		})
	}
}

// TestSaveAttachedMessage: a message/rfc822 part is saved as the message
// it holds.
func TestSaveAttachedMessage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "fwd.eml")
	if _, err := Save(open(t, "testdata/corpus/nested.eml"), "3", out, false); err != nil {
		t.Fatal(err)
	}
	got := string(readFile(t, out))
	if !strings.HasPrefix(got, "From: Loja <loja@example.com>\r\n") || !strings.HasSuffix(got, "obrigado\x94\r\n") {
		t.Fatalf("saved %q", got)
	}
}

// TestSaveWritesOnlyThePath: the lecture's attachment name has brackets
// and spaces; it is never used, and nothing else appears in the directory
// (no temporary file left behind).
func TestSaveWritesOnlyThePath(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "slides.ppt")
	s, err := Save(open(t, "testdata/corpus/lecture-ppt.eml"), "2", out, false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Part.Filename != "SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt" {
		t.Errorf("filename %q", s.Part.Filename)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "slides.ppt" {
		t.Fatalf("directory holds %v", entries)
	}
	if st, _ := os.Stat(out); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("mode %v: a saved part is private", st.Mode())
	}
}

func TestSaveRefuses(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	os.WriteFile(existing, []byte("keep me"), 0o600)
	outside := filepath.Join(dir, "outside")
	os.WriteFile(outside, []byte("do not touch"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	ppt := "testdata/corpus/lecture-ppt.eml"
	for _, tc := range []struct {
		name, msg, part, path string
		force                 bool
		kind                  error
		says                  string
	}{
		{"exists", ppt, "2", existing, false, ErrExists, "use --force"},
		{"directory", ppt, "2", dir, false, ErrIsDir, "is a directory"},
		{"directory forced", ppt, "2", dir, true, ErrIsDir, "is a directory"},
		{"trailing slash", ppt, "2", filepath.Join(dir, "new") + "/", false, ErrIsDir, "directory"},
		{"no such directory", ppt, "2", filepath.Join(dir, "nodir", "f"), false, ErrIsDir, "cannot write in"},
		{"link, not forced", ppt, "2", link, false, ErrExists, "exists"},
		{"no such part", ppt, "3", filepath.Join(dir, "a"), false, ErrNoPart, "the message has parts 1, 2"},
		{"not a number", ppt, "../2", filepath.Join(dir, "b"), false, ErrNoPart, "not a part number"},
		{"container", "testdata/corpus/nested.eml", "1.1", filepath.Join(dir, "c"), false, ErrNotLeaf, "holds other parts"},
		{"broken base64", "testdata/corpus/broken-base64.eml", "2", filepath.Join(dir, "d"), false, ErrMalformed, "illegal base64"},
		{"cut short", "testdata/corpus/broken-truncated.eml", "2", filepath.Join(dir, "e"), false, ErrMalformed, "cut short"},
		{"not a message", "testdata/corpus/garbage.bin", "1", filepath.Join(dir, "f"), false, ErrMalformed, "not a message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Save(open(t, tc.msg), tc.part, tc.path, tc.force)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.kind, tc.says)
			}
		})
	}
	if string(readFile(t, existing)) != "keep me" || string(readFile(t, outside)) != "do not touch" {
		t.Fatal("a refused save changed a file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("directory holds %v: a failed save left a file", entries)
	}
}

// TestSaveForce: --force replaces a file, and replaces a symbolic link
// itself rather than writing through it.
func TestSaveForce(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	os.WriteFile(existing, []byte("old"), 0o600)
	if _, err := Save(open(t, "testdata/corpus/lecture-ppt.eml"), "2", existing, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readFile(t, existing), readFile(t, "testdata/corpus/lecture-slides.ppt")) {
		t.Fatal("not overwritten")
	}
	outside := filepath.Join(t.TempDir(), "outside")
	os.WriteFile(outside, []byte("do not touch"), 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink(outside, link)
	if _, err := Save(open(t, "testdata/corpus/lecture-ppt.eml"), "1", link, true); err != nil {
		t.Fatal(err)
	}
	if string(readFile(t, outside)) != "do not touch" {
		t.Fatal("wrote through the link")
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink != 0 {
		t.Fatal("the link is still there")
	}
}
