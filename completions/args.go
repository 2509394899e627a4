package completions

import (
	"strconv"

	"github.com/mailsh/mailsh/proto"
)

// commandArgs completes a command's arguments from what its row in the
// command table says they are: no verb of any protocol is named here.
func commandArgs(ctx Context, start int, words []string, word string) Result {
	s := ctx.Snap
	cmd := proto.TableFor(s.Proto).Lookup(words[0])
	if cmd == nil {
		return finish(start, word, nil)
	}
	if len(cmd.Args) > 0 {
		return listArgs(s, cmd, start, words, word)
	}
	var cands []Candidate
	switch n := len(words); cmd.ArgKind {
	case proto.ArgHostname:
		if n == 1 {
			for _, name := range ctx.EHLONames {
				cands = append(cands, Candidate{Text: name})
			}
		}
	case proto.ArgMechanism:
		if n == 1 {
			for _, m := range s.AuthMechanisms() {
				cands = append(cands, Candidate{Text: m, Hint: mechHint[m]})
			}
		}
	case proto.ArgCommand:
		if n == 1 {
			for _, c := range proto.TableFor(s.Proto) {
				cands = append(cands, Candidate{Text: c.Name, Hint: c.Help})
			}
		}
	case proto.ArgPath:
		return pathArgs(s, ctx.Addresses, cmd, start, words, word)
	case proto.ArgChunk:
		if n == 2 {
			cands = []Candidate{{Text: "LAST", Hint: "this is the last chunk", Final: true}}
		}
	case proto.ArgMessage, proto.ArgMessageLines:
		switch {
		case n == 1:
			// A mailbox can hold thousands: filter before formatting hints.
			for _, m := range numbersWithPrefix(s.Messages, word) {
				cands = append(cands, Candidate{Text: strconv.Itoa(m.Num), Hint: sizeHint(m)})
			}
		case n == 2 && cmd.ArgKind == proto.ArgMessageLines:
			cands = []Candidate{{Text: "0", Hint: "header only"}, {Text: "10", Hint: "header and 10 lines of body"}}
		}
	}
	return finish(start, word, cands)
}

// mechHint says what each SASL mechanism costs, as a hint beside it.
var mechHint = map[string]string{
	"PLAIN":    "user and password in one base64 blob (use TLS)",
	"LOGIN":    "user, then password, each base64 (use TLS)",
	"CRAM-MD5": "challenge-response; the password never crosses the wire",
	"XOAUTH2":  "an OAuth 2.0 access token",
}
