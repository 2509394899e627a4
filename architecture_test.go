package main

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import graph the README's "How it is built" draws, for the
// packages of this module (imports of the standard library and of other
// modules left out): each package imports exactly these.
var importGraph = map[string][]string{
	".":                 {"shell", "internal/builtin", "loopback", "loopback/smtp", "loopback/pop3", "loopback/imap", "transcript", "message", "internal/progress", "internal/termsafe", "protocols", "proto"},
	"shell":             {"completions", "transcript", "message", "internal/progress", "internal/termsafe", "protocols", "proto"},
	"completions":       {"protocols", "proto"},
	"transcript":        {"protocols", "proto"},
	"protocols":         {"proto/smtp", "proto/pop3", "proto/imap", "proto/raw", "proto"},
	"proto/smtp":        {"proto"},
	"proto/pop3":        {"proto"},
	"proto/imap":        {"proto"},
	"proto/raw":         {"proto"},
	"internal/builtin":  {"loopback", "loopback/smtp", "loopback/pop3", "loopback/imap", "proto/smtp", "proto/pop3", "proto/imap", "proto"},
	"loopback/smtp":     {"loopback", "proto/smtp", "proto"},
	"loopback/pop3":     {"loopback", "proto/pop3", "proto"},
	"loopback/imap":     {"loopback"},
	"loopback":          {"proto"},
	"message":           {"internal/termsafe"},
	"internal/progress": nil,
	"internal/termsafe": nil,
	"proto":             nil,
}

// Each package imports what the README says; proto, internal/progress
// and internal/termsafe only the standard library.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	const module = "github.com/mailsh/mailsh"
	for dir, want := range importGraph {
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		var got []string
		for _, imp := range pkg.Imports {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				got = append(got, rel)
			} else if want == nil && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("%s imports %s, outside the standard library", dir, imp)
			}
		}
		slices.Sort(got)
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			t.Errorf("%s imports %v; the README's graph says %v", dir, got, w)
		}
	}
	// Every package of the module outside the test helpers and bench/ is
	// in the graph.
	filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		switch {
		case p != "." && strings.HasPrefix(d.Name(), "."), d.Name() == "testdata", p == "bench", p == "test":
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(p, 0)
		if err != nil || pkg.Name == "" {
			return nil // no Go files here
		}
		helper := strings.HasSuffix(p, "test") // test helpers: peertest, prototest, servertest
		if _, ok := importGraph[p]; !ok && !helper {
			t.Errorf("package %s is not in the README's import graph", p)
		}
		return nil
	})
}
