package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mailsh/mailsh/completions"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// completer adapts package completions to the line editor. One candidate
// completes inline; several complete their common prefix and are listed
// above the prompt with their hints (help text, message sizes).
type completer struct {
	s *Session
	// show prints a list of candidates above the prompt. It runs on its
	// own goroutine so that the editor is free to redraw.
	show func(text string)
	// lastListed is the line for which the list was last shown, so that
	// pressing TAB again does not print the same list twice; listed says
	// whether it holds anything. A new prompt forgets it (newLine).
	lastListed string
	listed     bool
}

// newLine forgets the list shown at the previous prompt: TAB on the empty
// line of a new prompt lists again what may come next.
func (c *completer) newLine() {
	c.lastListed, c.listed = "", false
}

func (c *completer) context() completions.Context {
	ctx := completions.Context{Files: listFiles}
	for _, m := range metaCommands() {
		ctx.Meta = append(ctx.Meta, completions.Meta{Name: m.Name, Help: m.Help, ArgKind: m.ArgKind, Subs: m.Subs})
	}
	for name := range c.s.Aliases {
		ctx.Targets = append(ctx.Targets, name)
	}
	sort.Strings(ctx.Targets)
	if c.s.Client != nil && c.s.Client.Machine != nil {
		ctx.Snap = c.s.Client.Machine.Snapshot()
	}
	ctx.EHLONames = []string{proto.DefaultEHLOName(), "localhost"}
	ctx.Addresses = c.s.Addresses
	ctx.Schemes = protocols.All.Schemes()
	return ctx
}

// Do implements readline.AutoCompleter: it returns what to insert after
// the cursor, and how many runes before it the insertion continues.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	if c.s.Client != nil && c.s.Client.Machine != nil && c.s.Client.Machine.State().Verbatim() {
		// In DATA, TAB is message text (a folded header line, a
		// tab-separated table): it goes in as it is.
		return [][]rune{{'\t'}}, 0
	}
	text := string(line[:pos])
	r := completions.Complete(c.context(), text, len(text))
	word := []rune(r.Word)
	switch len(r.Candidates) {
	case 0:
		return nil, 0
	case 1:
		cand := r.Candidates[0]
		ins := []rune(cand.Text)[len(word):]
		if !cand.Final {
			ins = append(ins, ' ')
		}
		if len(ins) == 0 {
			return nil, 0
		}
		return [][]rune{ins}, len(word)
	}
	common := []rune(completions.CommonPrefix(r.Candidates))
	if len(word) == 0 {
		// Nothing typed yet: show what may come, rather than the
		// first character they share (":" of the meta-commands).
		common = nil
	}
	if c.show != nil && len(common) == len(word) {
		// Nothing more to insert: list the choices instead, once for
		// the same line however often TAB is pressed.
		if !c.listed || text != c.lastListed {
			c.show(formatCandidates(r.Candidates))
		}
		c.lastListed, c.listed = text, true
	} else {
		c.newLine()
	}
	if len(common) > len(word) {
		return [][]rune{common[len(word):]}, len(word)
	}
	return nil, 0
}

// formatCandidates lays out candidates one per line with their hints, or
// in columns when none has a hint.
func formatCandidates(cands []completions.Candidate) string {
	width := 0
	hints := false
	for _, c := range cands {
		width = max(width, len(c.Text))
		hints = hints || c.Hint != ""
	}
	var b strings.Builder
	if !hints {
		for i, c := range cands {
			fmt.Fprintf(&b, "%-*s", width+2, c.Text)
			if i%6 == 5 || i == len(cands)-1 {
				b.WriteString("\n")
			}
		}
		return b.String()
	}
	for _, c := range cands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Text, c.Hint)
	}
	return b.String()
}

// listFiles lists the entries that start with prefix, for :data and
// :transcript start. Directories get a trailing slash.
func listFiles(prefix string) []string {
	dir, base := filepath.Split(prefix)
	read := dir
	if read == "" {
		read = "."
	}
	if strings.HasPrefix(read, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			read = filepath.Join(home, read[2:])
		}
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		if e.IsDir() {
			name += "/"
		}
		out = append(out, dir+name)
		if len(out) >= 200 {
			break
		}
	}
	return out
}
