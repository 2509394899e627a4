package completions

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// pathArgs completes MAIL FROM:<…> and RCPT TO:<…>: the keyword, then an
// address used before, then the ESMTP parameters the server advertised.
func pathArgs(s *proto.Snapshot, known []string, cmd *proto.Command, start int, words []string, word string) Result {
	verb := cmd.Name
	// The keyword is the table's syntax up to the path: "FROM:<", "TO:<".
	kw, _, _ := strings.Cut(cmd.Syntax, "<")
	kw += "<"
	addresses := func(prefix string) []Candidate {
		var cands []Candidate
		if verb == "MAIL" {
			cands = append(cands, Candidate{Text: prefix + ">", Hint: "the null sender (bounces)"})
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
	// Parameters (RFC 5321 §4.1.2 esmtp-param) the server advertised.
	var cands []Candidate
	if verb == "MAIL" {
		if s.Has("SIZE") {
			cands = append(cands, Candidate{Text: "SIZE=", Hint: "declare the message size (RFC 1870); the server allows " + orUnlimited(s.Ext["SIZE"]), Final: true})
		}
		if s.Has("8BITMIME") {
			cands = append(cands, Candidate{Text: "BODY=8BITMIME", Hint: "the message has 8-bit text (RFC 6152)"})
		}
		if s.Has("BINARYMIME") {
			cands = append(cands, Candidate{Text: "BODY=BINARYMIME", Hint: "the message has binary content (RFC 3030)"})
		}
		if s.Has("SMTPUTF8") {
			cands = append(cands, Candidate{Text: "SMTPUTF8", Hint: "addresses or header are UTF-8 (RFC 6531)"})
		}
		if s.Has("DSN") {
			cands = append(cands,
				Candidate{Text: "RET=FULL", Hint: "return the whole message in a bounce (RFC 3461)"},
				Candidate{Text: "RET=HDRS", Hint: "return only the header in a bounce (RFC 3461)"},
				Candidate{Text: "ENVID=", Hint: "an envelope id for delivery reports (RFC 3461)", Final: true})
		}
		if s.Has("AUTH") {
			cands = append(cands, Candidate{Text: "AUTH=<>", Hint: "the submitter's identity (RFC 4954 §5)"})
		}
		if s.Has("REQUIRETLS") {
			cands = append(cands, Candidate{Text: "REQUIRETLS", Hint: "relay only over TLS (RFC 8689)"})
		}
	} else if s.Has("DSN") {
		cands = append(cands,
			Candidate{Text: "NOTIFY=SUCCESS,FAILURE,DELAY", Hint: "ask for delivery reports (RFC 3461)"},
			Candidate{Text: "NOTIFY=NEVER", Hint: "no delivery reports (RFC 3461)"},
			Candidate{Text: "ORCPT=rfc822;", Hint: "the original recipient (RFC 3461)", Final: true})
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
