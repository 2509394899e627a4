package message

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// allocated returns the octets allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLargeAttachmentStreams: a 20 MiB attachment is composed, listed and
// saved without being held in memory: each pass allocates a small
// fraction of its size in all.
func TestLargeAttachmentStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 47 MiB of files")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	data := make([]byte, 20<<20)
	rand.New(rand.NewSource(20)).Read(data)
	if err := os.WriteFile(big, data, 0o600); err != nil {
		t.Fatal(err)
	}
	want := sha(data)
	data = nil
	msgPath := filepath.Join(dir, "big.eml")
	f, err := os.Create(msgPath)
	if err != nil {
		t.Fatal(err)
	}
	d := &Draft{From: "a@example.org", To: []string{"b@example.org"}, Subject: "big", Body: "see the attachment", Attach: []string{big}}
	progress := &countWriter{w: io.Discard}
	d.Progress = progress
	// Holding the attachment would allocate at least its 20 MiB; streaming
	// allocates buffers only (a few MiB under the race detector).
	const limit = 10 << 20
	if n := allocated(func() { _, err = d.WriteTo(f) }); err != nil || n > limit {
		t.Fatalf("compose: %v, allocated %d octets", err, n)
	}
	f.Close()
	if progress.n != 20<<20 {
		t.Errorf("progress saw %d octets", progress.n)
	}
	var top *Part
	if n := allocated(func() { top, err = Tree(open(t, msgPath), TreeOptions{SHA256: true}) }); err != nil || n > limit {
		t.Fatalf("tree: %v, allocated %d octets", err, n)
	}
	if top.Parts[1].Size != 20<<20 || top.Parts[1].SHA256 != want {
		t.Fatalf("size %d, sha %s", top.Parts[1].Size, top.Parts[1].SHA256)
	}
	var s *Saved
	if n := allocated(func() { s, err = Save(open(t, msgPath), "2", filepath.Join(dir, "out.bin"), false) }); err != nil || n > limit {
		t.Fatalf("save: %v, allocated %d octets", err, n)
	}
	if s.SHA256 != want || s.Bytes != 20<<20 {
		t.Fatalf("saved %d octets, %s", s.Bytes, s.SHA256)
	}
}

// TestHostileInput: absurd messages give a clear error or a tree with
// problems, never a panic, a hang or unbounded memory.
func TestHostileInput(t *testing.T) {
	deep := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
		}
		return b.String()
	}
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=x\r\n\r\n")
		for i := 0; i < n; i++ {
			b.WriteString("--x\r\n\r\n.\r\n")
		}
		return b.String() + "--x--\r\n"
	}
	for _, tc := range []struct {
		name, msg string
		kind      error  // a whole-message error, or nil
		problem   string // else, a problem somewhere in the tree
	}{
		{"header over 4 MiB", "Subject: " + strings.Repeat("x", MaxHeaderBytes) + "\r\n\r\n", ErrTooLarge, ""},
		{"header without end", strings.Repeat("X-A: b\r\n", MaxHeaderBytes/8+10), ErrTooLarge, ""},
		{"nested 100 deep", deep(100), nil, "nested more than 32 deep"},
		{"20,000 parts", many(20000), ErrTooLarge, ""},
		{"part header without end", "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" + strings.Repeat("X-A: b\r\n", 200000), nil, "without a boundary line or the end of a part header"},
		{"NUL and escapes", "Subject: \x1b]0;pwned\x07\r\n\r\n\x1b[2J\x00body\r\n", nil, ""},
		{"empty", "", nil, ""},
		{"only CRLF", "\r\n", nil, ""},
		{"starts with a space", " folded\r\n\r\n", ErrMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top, err := Tree(strings.NewReader(tc.msg), TreeOptions{})
			if tc.kind != nil {
				if !errors.Is(err, tc.kind) {
					t.Fatalf("err = %v, want %v", err, tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			top.Each(func(p *Part) { all = append(all, p.Problems...) })
			if tc.problem != "" && !strings.Contains(strings.Join(all, "\n"), tc.problem) {
				t.Errorf("problems %q lack %q", all, tc.problem)
			}
			var out bytes.Buffer
			if _, err := Show(&out, strings.NewReader(tc.msg), Style{}); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(out.String(), "\x1b\x00\x07") {
				t.Errorf("control characters reach the terminal: %q", out.String())
			}
		})
	}
}

// TestShowDecodes: the decoded view turns charsets, quoted-printable,
// base64 and encoded words into readable UTF-8.
func TestShowDecodes(t *testing.T) {
	for file, wants := range map[string][]string{
		"alternative-latin1.eml": {"Subject: Informação da aula\n", "From: Vítor Carreira <vitor@example.org>\n", "Olá João,\n\na informação da aula de amanhã está no site.\n", "text/html; charset=windows-1252, quoted-printable, 45 B: the same text in another form, not shown"},
		"windows-1252.eml":       {"Subject: Preço € 10\n", "o preço é 10 € (“dez euros”), pago até 5ª feira.\n"},
		"encoded-words.eml":      {"From: Привет <privet@example.ru>\n", "To: André <andre@example.fr>, 山田 <yamada@example.jp>\n", "Subject: Prix en € et en £ (ok)\n", "RFC 2047 — adjacent words join."},
		"nested.eml":             {"Relatório em anexo. Ver a figura: ✓\n", "Preço: 10 € — “obrigado”\n", `[part 2: application/pdf, base64, 2.9 KiB, "relatório final.pdf"]`, "[part 3: attached message (message/rfc822) follows]"},
		"lecture-ppt.eml":        {"Segue em anexo o ficheiro", `[part 2: application/octet-stream, base64, 8.8 KiB, "SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt"]`},
		"broken-base64.eml":      {"[part 2: cannot decode base64: illegal base64 data at input byte 151]"},
		"lecture-ppt-slide.eml":  {`no boundary line "--====_193484826==" found`},
	} {
		var out bytes.Buffer
		sh, err := Show(&out, open(t, "testdata/corpus/"+file), Style{Field: func(s string) string { return "<b>" + s + "</b>" }})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		got := strings.ReplaceAll(strings.ReplaceAll(out.String(), "<b>", ""), "</b>", "")
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s: view lacks %q:\n%s", file, w, got)
			}
		}
		if !strings.Contains(out.String(), "<b>From:</b> ") {
			t.Errorf("%s: field names not dressed", file)
		}
		if file == "nested.eml" && len(sh.Attachments) != 2 {
			t.Errorf("attachments %d", len(sh.Attachments))
		}
	}
}

// TestShowBoundsText: a huge text part is shown in part.
func TestShowBoundsText(t *testing.T) {
	msg := "Subject: log\r\n\r\n" + strings.Repeat("a line of a very long log\r\n", 100000)
	var out bytes.Buffer
	if _, err := Show(&out, strings.NewReader(msg), Style{}); err != nil {
		t.Fatal(err)
	}
	if out.Len() > MaxShowText+1000 || !strings.Contains(out.String(), "[part 1: 2.6 MiB of text; the first 1.0 MiB shown]") {
		t.Fatalf("%d bytes, ends %q", out.Len(), out.String()[out.Len()-200:])
	}
}

// errWriter fails every write.
type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestShowWriteError(t *testing.T) {
	if _, err := Show(errWriter{}, open(t, "testdata/corpus/nested.eml"), Style{}); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err = %v", err)
	}
}

// The limits hold exactly at their figures: 32 levels of nesting are
// read and the 33rd is not; 10,000 parts in all are read and the
// 10,001st gives up.
func TestLimitsAtTheirBoundary(t *testing.T) {
	nested := func(n int) string {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
		}
		return b.String()
	}
	parts := func(n int) string { // n parts in all: the multipart and n-1 inside
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=x\r\n\r\n")
		for range n - 1 {
			b.WriteString("--x\r\n\r\n.\r\n")
		}
		return b.String() + "--x--\r\n"
	}
	deepProblem := func(msg string) bool {
		top, err := Tree(strings.NewReader(msg), TreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		top.Each(func(p *Part) {
			for _, pr := range p.Problems {
				found = found || strings.Contains(pr, "nested more than 32 deep")
			}
		})
		return found
	}
	if deepProblem(nested(MaxDepth)) {
		t.Errorf("%d levels of nesting refused", MaxDepth)
	}
	if !deepProblem(nested(MaxDepth + 1)) {
		t.Errorf("%d levels of nesting read", MaxDepth+1)
	}
	if _, err := Tree(strings.NewReader(parts(MaxParts)), TreeOptions{}); err != nil {
		t.Errorf("%d parts: %v", MaxParts, err)
	}
	if _, err := Tree(strings.NewReader(parts(MaxParts+1)), TreeOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("%d parts: %v, want ErrTooLarge", MaxParts+1, err)
	}
	if MaxDepth != 32 || MaxParts != 10000 {
		t.Errorf("the limits are %d levels and %d parts; the README gives 32 and 10,000", MaxDepth, MaxParts)
	}
}
