package message

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with testdata/golden/name, or rewrites the file
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./message -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./message -run Golden -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// corpus lists the files in testdata/corpus with one of the extensions.
func corpus(t *testing.T, exts ...string) []string {
	t.Helper()
	var out []string
	for _, ext := range exts {
		m, err := filepath.Glob(filepath.Join("testdata", "corpus", "*"+ext))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatal("empty corpus")
	}
	return out
}

func open(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func base(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// TestTreeGolden: the MIME tree of every message in the corpus, with the
// SHA-256 of each decoded part, so that a decoding change shows.
func TestTreeGolden(t *testing.T) {
	for _, path := range corpus(t, ".eml", ".bin") {
		t.Run(base(path), func(t *testing.T) {
			var out bytes.Buffer
			top, err := Tree(open(t, path), TreeOptions{SHA256: true})
			if err != nil {
				out.WriteString("error: " + err.Error() + "\n")
			} else if err := WriteTree(&out, top, Style{}); err != nil {
				t.Fatal(err)
			}
			golden(t, base(path)+".mime", out.Bytes())
		})
	}
}

// TestShowGolden: the decoded view of every message in the corpus.
func TestShowGolden(t *testing.T) {
	for _, path := range corpus(t, ".eml", ".bin") {
		t.Run(base(path), func(t *testing.T) {
			var out bytes.Buffer
			if _, err := Show(&out, open(t, path), Style{}); err != nil {
				out.WriteString("error: " + err.Error() + "\n")
			}
			golden(t, base(path)+".show", out.Bytes())
		})
	}
}

// TestHopsGolden: :hops on the Received chains of six kinds of server and
// on the lecture's messages.
func TestHopsGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "received", "*.txt"))
	files = append(files, corpus(t, "lecture-sendmail.eml", "lecture-retr22.eml", "lecture-antunes.eml", "lecture-ppt.eml")...)
	if len(files) < 9 {
		t.Fatalf("only %d chains", len(files))
	}
	for _, path := range files {
		t.Run(base(path), func(t *testing.T) {
			c, err := ReadChain(open(t, path))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := WriteHops(&out, c, Style{}); err != nil {
				t.Fatal(err)
			}
			golden(t, base(path)+".hops", out.Bytes())
		})
	}
}

// TestHeadersGolden: :headers on the lecture's message and a modern one.
func TestHeadersGolden(t *testing.T) {
	for _, path := range []string{"testdata/corpus/lecture-sendmail.eml", "testdata/received/gmail.txt", "testdata/corpus/encoded-words.eml"} {
		t.Run(base(path), func(t *testing.T) {
			var out bytes.Buffer
			if err := WriteHeaders(&out, open(t, path), Style{}); err != nil {
				t.Fatal(err)
			}
			golden(t, base(path)+".headers", out.Bytes())
		})
	}
}
