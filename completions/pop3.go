package completions

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// pop3Args completes the arguments of POP3 commands.
func pop3Args(s *proto.Snapshot, words []string, word string) []Candidate {
	verb := strings.ToUpper(words[0])
	switch verb {
	case "RETR", "DELE", "TOP", "LIST", "UIDL":
		if len(words) != 1 {
			if verb == "TOP" && len(words) == 2 {
				return []Candidate{{Text: "0", Hint: "header only"}, {Text: "10", Hint: "header and 10 lines of body"}}
			}
			return nil
		}
		// A mailbox can hold thousands: filter before formatting hints.
		var out []Candidate
		for _, m := range s.Messages {
			if n := strconv.Itoa(m.Num); strings.HasPrefix(n, word) {
				out = append(out, Candidate{Text: n, Hint: sizeHint(m)})
			}
		}
		return out
	case "AUTH":
		if len(words) == 1 {
			var out []Candidate
			for _, m := range s.AuthMechanisms() {
				out = append(out, Candidate{Text: m, Hint: mechHint[m]})
			}
			return out
		}
	}
	return nil
}

func sizeHint(m proto.MessageInfo) string {
	if m.Size < 0 {
		return "size unknown (LIST tells)"
	}
	return fmt.Sprintf("%d octets", m.Size)
}
