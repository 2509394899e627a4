package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A transcript as files without session numbers have it.
const exportSample = `# mailsh transcript 1
# version: 0.1.0
# target: smtp://127.0.0.1:2525
# started: 2002-11-13T02:20:01.000Z
# redaction: on

02:20:01.000000 S: 220 mail.ipleiria.pt ESMTP
02:20:01.001500 C: QUIT
02:20:01.003000 S: 221 2.0.0 closing connection
`

// TestTranscriptExportFormat: without --format the export's format is the
// output file's extension; --format wins over it; an extension that names
// no format, or no way to tell, is a usage error naming the choices and
// writes nothing.
func TestTranscriptExportFormat(t *testing.T) {
	t.Parallel()
	const (
		md   = "## mailsh session: smtp://127.0.0.1:2525\n"
		html = "<!DOCTYPE html>\n"
		json = `{"type":"session","session":1,`
	)
	for _, tc := range []struct {
		name   string
		out    string // "" for standard output
		args   []string
		code   int
		prefix string // of what is written
		stderr []string
	}{
		{"html from the extension", "report.html", nil, 0, html, nil},
		{"md from the extension", "report.md", nil, 0, md, nil},
		{"json from the extension", "session.json", nil, 0, json, nil},
		{"extension in capitals", "REPORT.HTML", nil, 0, html, nil},
		{"jsonl", "session.jsonl", nil, 0, json, nil},
		{"--format wins", "report.html", []string{"--format", "md"}, 0, md, nil},
		{"--format= wins", "report.txt", []string{"--format=json"}, 0, json, nil},
		{"--format to standard output", "", []string{"--format", "html"}, 0, html, nil},
		{"unknown extension", "report.txt", nil, 2, "", []string{"report.txt", "--format md, html or json"}},
		{"no extension", "report", nil, 2, "", []string{"report", "--format md, html or json"}},
		{"no --format, no -o", "", nil, 2, "", []string{"give --format md, html or json"}},
		{"unknown --format", "report.html", []string{"--format", "pdf"}, 2, "", []string{`"pdf"`, "md, html or json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "session.txt")
			if err := os.WriteFile(in, []byte(exportSample), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"export", in}, tc.args...)
			out := ""
			if tc.out != "" {
				out = filepath.Join(dir, tc.out)
				args = append(args, "-o", out)
			}
			var stdout, stderr bytes.Buffer
			if code := runTranscript(args, &stdout, &stderr); code != tc.code {
				t.Fatalf("exit status %d, want %d\n%s", code, tc.code, stderr.String())
			}
			got := stdout.String()
			if out != "" {
				b, err := os.ReadFile(out)
				if tc.code != 0 {
					if err == nil {
						t.Errorf("%s written after a usage error", tc.out)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if !strings.HasPrefix(got, tc.prefix) {
				t.Errorf("wrote %.60q…, want it to begin %q", got, tc.prefix)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}
