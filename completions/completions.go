// Package completions answers "what may come next?" for the shell's TAB
// key, from a snapshot of the protocol state machine in package proto: only
// the commands valid in the current state, the mechanisms and extensions
// the server advertised, the addresses used earlier, the message numbers
// that exist. It does no I/O and keeps no state, so it is fast and safe to
// call from the line editor's goroutine.
package completions

import (
	"sort"
	"strings"
	"unicode"

	"github.com/mailsh/mailsh/proto"
)

// Candidate is one possible completion of the word being typed.
type Candidate struct {
	// Text replaces the word being typed.
	Text string
	// Hint is shown beside the candidate in a list, such as a command's
	// help or a message's size; it is never inserted.
	Hint string
	// Final means no space should follow: more of the same word comes
	// (as after "FROM:<").
	Final bool
}

// Meta describes the shell's ":" commands for completion.
type Meta struct {
	Name    string // without the colon
	Help    string
	ArgKind string // "", "file", "mech", "meta", "target", "transcript", "mailbox-file"
	// Subs are the words the first argument may be (:raw on, off, send).
	Subs []string
}

// Context is what the completer needs besides the snapshot.
type Context struct {
	Snap *proto.Snapshot
	Meta []Meta
	// Targets are names :connect accepts besides URLs ("pop3", "smtp").
	Targets []string
	// Files lists directory entries for a path prefix (nil: no file
	// completion). It returns names with a trailing "/" for directories.
	Files func(prefix string) []string
	// EHLONames are names offered after EHLO and HELO.
	EHLONames []string
	// Addresses are known mailboxes offered in MAIL and RCPT besides those
	// used before (the built-in server's accounts).
	Addresses []string
	// Schemes are the URL schemes :connect takes (nil: those of every
	// protocol of the registry).
	Schemes []string
}

// Result is the answer for one TAB press.
type Result struct {
	// Start is the byte offset in the line where the completed word
	// begins; the word runs from Start to the cursor.
	Start int
	Word  string
	// Candidates, sorted, in the case the user typed.
	Candidates []Candidate
}

// Complete returns the candidates for the word before pos in line.
func Complete(ctx Context, line string, pos int) Result {
	if pos > len(line) {
		pos = len(line)
	}
	line = line[:pos]
	start := strings.LastIndexAny(line, " ") + 1
	word := line[start:]
	var cands []Candidate
	words := strings.Fields(line[:start])
	if ctx.Snap != nil && len(words) > 0 && !ctx.Snap.State.Verbatim() && !ctx.Snap.State.InSASL() {
		// An IMAP tag typed before the command: complete what follows
		// it as if it were not there.
		if tag, _ := proto.SplitTag(ctx.Snap.Proto, line[:start]); tag != "" {
			words = words[1:]
			if len(words) == 0 {
				for _, c := range ctx.Snap.Commands() {
					cands = append(cands, Candidate{Text: c.Name, Hint: c.Help, Final: c.Arity == proto.ArgNone})
				}
				return finish(start, word, cands)
			}
		}
	}
	switch {
	case ctx.Snap != nil && ctx.Snap.State.InLiteral():
		// A literal's octets: nothing to offer.
	case ctx.Snap != nil && (ctx.Snap.State.TakesText()):
		// Message text: only the way out.
		if start == 0 && strings.HasPrefix(word, ":") {
			cands = []Candidate{{Text: ":abort", Hint: "abandon the message"}}
		}
	case ctx.Snap != nil && ctx.Snap.State.InSASL():
		// A SASL answer: nothing to offer but the way out.
		if start == 0 && word == "" {
			cands = []Candidate{{Text: "*", Hint: "cancel the authentication"}}
		}
	case start == 0 && (strings.HasPrefix(word, ":") || ctx.Snap == nil || ctx.Snap.State == proto.StateClosed || len(proto.TableFor(ctx.Snap.Proto)) == 0):
		// Not connected, or a protocol with no commands of its own (raw
		// line mode): only mailsh's own commands can help.
		for _, m := range ctx.Meta {
			cands = append(cands, Candidate{Text: ":" + m.Name, Hint: m.Help})
		}
	case start == 0:
		if ctx.Snap != nil {
			for _, c := range ctx.Snap.Commands() {
				cands = append(cands, Candidate{Text: c.Name, Hint: c.Help, Final: c.Arity == proto.ArgNone})
			}
		}
	case strings.HasPrefix(words[0], ":"):
		cands = metaArgs(ctx, words, word)
	case ctx.Snap != nil:
		return inVerbCase(words, commandArgs(ctx, start, words, word))
	}
	return finish(start, word, cands)
}

// inVerbCase gives keywords completed after a command in lower case the
// lower case too: "mail " TAB → "mail from:<", as the lecture types it.
// A word already begun decides for itself (finish).
func inVerbCase(words []string, r Result) Result {
	if len(words) == 0 || hasUpper(words[0]) || hasLetter(r.Word) {
		return r
	}
	for i, c := range r.Candidates {
		rest := c.Text[len(r.Word):]
		if isKeyword(rest) {
			r.Candidates[i].Text = r.Word + strings.ToLower(rest)
		}
	}
	return r
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// finish keeps the candidates that match word, ignoring case, and gives
// them the case the user typed.
func finish(start int, word string, cands []Candidate) Result {
	r := Result{Start: start, Word: word}
	lower := word != "" && !hasUpper(word)
	seen := make(map[string]bool, len(cands))
	r.Candidates = make([]Candidate, 0, len(cands))
	for _, c := range cands {
		if !hasPrefixFold(c.Text, word) || seen[strings.ToUpper(c.Text)] {
			continue
		}
		seen[strings.ToUpper(c.Text)] = true
		if lower && isKeyword(c.Text) {
			c.Text = strings.ToLower(c.Text)
		}
		// Keep exactly what was typed as the start of the candidate.
		c.Text = word + c.Text[len(word):]
		r.Candidates = append(r.Candidates, c)
	}
	sort.SliceStable(r.Candidates, func(i, j int) bool { return lessNatural(r.Candidates[i].Text, r.Candidates[j].Text) })
	return r
}

// isKeyword reports whether a candidate is a protocol keyword, whose case
// may follow the user's (addresses and file names keep theirs).
func isKeyword(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) || r == '@' || r == '/' {
			return false
		}
	}
	return true
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// lessNatural orders "2" before "10".
func lessNatural(a, b string) bool {
	if isDigits(a) && isDigits(b) && len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// CommonPrefix is the longest prefix shared by all candidates, the part a
// TAB can insert at once when several remain.
func CommonPrefix(cands []Candidate) string {
	if len(cands) == 0 {
		return ""
	}
	p := cands[0].Text
	for _, c := range cands[1:] {
		i := 0
		for i < len(p) && i < len(c.Text) && p[i] == c.Text[i] {
			i++
		}
		p = p[:i]
	}
	return p
}
