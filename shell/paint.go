package shell

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// maskSecrets is the line editor's painter: it shows a password or a SASL
// blob as "*" while it is typed, so that it is never on the screen (the
// line stays as typed in memory and goes only to the server).
func (s *Session) maskSecrets(line []rune, _ int) []rune {
	if s.C == nil || s.C.M == nil {
		return line
	}
	state := s.C.M.State()
	if state == proto.SMTPData {
		return line // message text, shown as typed
	}
	if s.answers.skipping.Load() && isSASLAnswer(s.C.M.Protocol(), string(line)) {
		// A SASL answer pasted after an AUTH that was refused: it is
		// kept back, and not shown either.
		return stars(line, 0)
	}
	if state == proto.SMTPAuth || state == proto.POP3Auth {
		if string(line) == "*" {
			return line
		}
		return stars(line, 0)
	}
	text := string(line)
	verb, rest, ok := strings.Cut(text, " ")
	if !ok {
		return line
	}
	switch strings.ToUpper(verb) {
	case "PASS":
		if s.C.M.Protocol() == proto.POP3 {
			return stars(line, len([]rune(verb))+1)
		}
	case "AUTH":
		// AUTH MECH [initial-response]: mask the response.
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			return stars(line, len([]rune(verb+" "+rest[:i+1])))
		}
	case "APOP":
		if i := strings.IndexByte(rest, ' '); i >= 0 {
			return stars(line, len([]rune(verb+" "+rest[:i+1])))
		}
	}
	return line
}

// stars masks line from the rune at from on; a newline (Enter, as the
// editor paints it) stays, so that what follows starts on a line of its
// own.
func stars(line []rune, from int) []rune {
	out := append([]rune(nil), line...)
	for i := from; i < len(out); i++ {
		if out[i] != '\n' {
			out[i] = '*'
		}
	}
	return out
}
