package shell

import (
	"io"
	"strings"
	"testing"
)

// chunks reads its pieces one Read at a time, as a terminal delivers them.
type chunks struct{ pieces []string }

func (c *chunks) Read(b []byte) (int, error) {
	if len(c.pieces) == 0 {
		return 0, io.EOF
	}
	n := copy(b, c.pieces[0])
	c.pieces[0] = c.pieces[0][n:]
	if c.pieces[0] == "" {
		c.pieces = c.pieces[1:]
	}
	return n, nil
}

// The paste brackets are dropped even when a read cuts them; each Enter
// is known as pasted or typed; bytes that are not UTF-8 come back out of
// the editor's runes as the same bytes, and a UTF-8 character cut by a
// read stays whole.
func TestPasteReader(t *testing.T) {
	t.Parallel()
	p := &pasteReader{r: &chunks{pieces: []string{
		"typed\r\x1b[20", "0~caf\xc3", "\xa9 na\xefve\r.\r\x1b[2", "01~.\r",
	}}}
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\r"), "\r") {
		lines = append(lines, rawBytes(l))
	}
	want := []string{"typed", "café na\xefve", ".", "."}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i, pasted := range []bool{false, true, true, false} {
		if got := p.linePasted(); got != pasted {
			t.Errorf("line %d (%q): pasted %v, want %v", i+1, want[i], got, pasted)
		}
	}
	if got := string(showRawBytes([]rune(string(b)))); strings.ContainsRune(got, rawByteBase+0xef) || !strings.Contains(got, "na?ve") {
		t.Errorf("shown as %q", got)
	}
}
