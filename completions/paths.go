package completions

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// pathArgs completes a path argument, as MAIL FROM:<…> and RCPT TO:<…>
// take: the keyword, then an address used before (or the empty path,
// where the command takes one), then the parameters the server
// advertised.
func pathArgs(s *proto.Snapshot, known []string, cmd *proto.Command, start int, words []string, word string) Result {
	// The keyword is the table's syntax up to the path: "FROM:<", "TO:<".
	kw, _, _ := strings.Cut(cmd.Syntax, "<")
	kw += "<"
	addresses := func(prefix string) []Candidate {
		var cands []Candidate
		if cmd.NullPath != "" {
			cands = append(cands, Candidate{Text: prefix + ">", Hint: cmd.NullPath})
		}
		seen := map[string]bool{}
		for _, a := range append(append([]string(nil), s.Used...), known...) {
			if !seen[strings.ToLower(a)] {
				seen[strings.ToLower(a)] = true
				cands = append(cands, Candidate{Text: prefix + a + ">"})
			}
		}
		return cands
	}
	// The lecture writes "mail from: address", with a space after the
	// colon: then the path is the next word.
	spaced := len(words) == 2 && strings.EqualFold(words[1], kw[:len(kw)-1])
	switch {
	case len(words) == 1:
		// The path: "FROM:<" alone, or "FROM:<addr" with an address.
		if i := strings.IndexByte(word, '<'); i >= 0 && hasPrefixFold(word, kw[:len(kw)-1]) {
			return finish(start, word, addresses(word[:i+1]))
		}
		return finish(start, word, []Candidate{{Text: kw, Final: true}})
	case spaced && (word == "" || strings.HasPrefix(word, "<")):
		return finish(start, word, addresses("<"))
	}
	// Parameters the server advertised.
	var cands []Candidate
	for _, p := range cmd.Params {
		if p.Needs != "" && !s.Has(p.Needs) {
			continue
		}
		hint := p.Hint
		if p.Limit {
			hint += "; the server allows " + orUnlimited(s.Caps[strings.ToUpper(p.Needs)])
		}
		cands = append(cands, Candidate{Text: p.Text, Hint: hint, Final: p.Final})
	}
	// Do not offer a parameter already given.
	var left []Candidate
	for _, c := range cands {
		name, _, _ := strings.Cut(c.Text, "=")
		dup := false
		for _, w := range words[2:] {
			n, _, _ := strings.Cut(w, "=")
			dup = dup || strings.EqualFold(n, name)
		}
		if !dup {
			left = append(left, c)
		}
	}
	return finish(start, word, left)
}

func orUnlimited(size string) string {
	if size == "" || size == "0" {
		return "any size"
	}
	return size + " octets"
}
