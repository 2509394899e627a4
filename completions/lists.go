package completions

import (
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// listArgs completes the arguments of a command whose row gives each
// argument's kind by position (IMAP's): mailboxes the server listed,
// message numbers or UIDs that exist, and keywords (FETCH items, flags,
// SEARCH keys), inside a parenthesised list too.
func listArgs(s *proto.Snapshot, cmd *proto.Command, start int, words []string, word string) Result {
	pos := len(words) - 1 // which argument is being typed
	uid := false
	if cmd.ArgsAt(0) == proto.ArgSubcommand && pos > 0 {
		// UID FETCH …: the arguments are those of the command prefixed,
		// with UIDs for message numbers.
		sub := proto.TableFor(s.Proto).Lookup(words[1])
		if sub == nil {
			return finish(start, word, nil)
		}
		cmd, pos, uid = sub, pos-1, true
	}
	// "(FLAGS UID": the word typed may open a list.
	open := strings.TrimLeft(word, "(")
	lead := word[:len(word)-len(open)]
	var cands []Candidate
	switch kind := cmd.ArgsAt(pos); kind {
	case proto.ArgMailbox, proto.ArgPattern:
		if kind == proto.ArgPattern {
			cands = append(cands, Candidate{Text: `"*"`, Hint: "every mailbox"}, Candidate{Text: `"%"`, Hint: "the top level"})
		}
		for _, m := range s.Mailboxes {
			c := Candidate{Text: quote(s, m)}
			if m == s.Mailbox {
				c.Hint = "selected"
			}
			cands = append(cands, c)
		}
	case proto.ArgReference:
		cands = []Candidate{{Text: `""`, Hint: "no reference: names from the top"}}
	case proto.ArgSequence:
		cands = sequenceArgs(s, word, uid)
	case proto.ArgMechanism:
		for _, m := range s.AuthMechanisms() {
			cands = append(cands, Candidate{Text: m, Hint: mechHint[m]})
		}
	default:
		// Inside a list, or a flag, no space follows: a ")" may.
		final := lead != "" || kind == proto.ArgFlags
		for _, w := range argWords(s, kind) {
			cands = append(cands, Candidate{Text: lead + w.Text, Hint: w.Help, Final: final})
		}
	}
	return finish(start, word, cands)
}

// sequenceArgs offers the messages that exist, by number or by UID, and
// the sets that name them all.
func sequenceArgs(s *proto.Snapshot, word string, uid bool) []Candidate {
	var cands []Candidate
	if uid {
		for _, m := range s.Messages {
			if m.UID != "" && strings.HasPrefix(m.UID, word) {
				cands = append(cands, Candidate{Text: m.UID, Hint: "message " + strconv.Itoa(m.Num)})
			}
		}
		return append(cands, Candidate{Text: "1:*", Hint: "every message"})
	}
	for _, m := range numbersWithPrefix(s.Messages, word) {
		cands = append(cands, Candidate{Text: strconv.Itoa(m.Num), Hint: sizeHint(m)})
	}
	if len(s.Messages) > 0 {
		cands = append(cands, Candidate{Text: "1:*", Hint: "every message"}, Candidate{Text: "*", Hint: "the last message"})
	}
	return cands
}

// quote writes a mailbox name as the protocol needs it in a command.
func quote(s *proto.Snapshot, name string) string {
	if q := s.Proto.Spec().Quote; q != nil {
		return q(name)
	}
	return name
}

// argWords are the keywords an argument of the kind may be now, as the
// protocol says.
func argWords(s *proto.Snapshot, kind proto.ArgKind) []proto.Word {
	if w := s.Proto.Spec().Words; w != nil {
		return w(kind, s)
	}
	return nil
}
