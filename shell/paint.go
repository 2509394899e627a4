package shell

import (
	"slices"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// maskSecrets is the line editor's painter: it shows a password or a SASL
// blob as "*" while it is typed, so that it is never on the screen (the
// line stays as typed in memory and goes only to the server).
func (s *Session) maskSecrets(line []rune, _ int) []rune {
	if s.Client == nil || s.Client.Machine == nil {
		return line
	}
	state := s.Client.Machine.State()
	if state.TakesText() {
		return line // message text, shown as typed
	}
	if s.answers.skipping.Load() && isSASLAnswer(s.Client.Machine.Protocol(), string(line)) {
		// A SASL answer pasted after an AUTH that was refused: it is
		// kept back, and not shown either.
		return stars(line, 0)
	}
	if state.InSASL() {
		if string(line) == "*" {
			return line
		}
		return stars(line, 0)
	}
	// The command table says which commands carry a secret and where it
	// starts: PASS's whole argument, AUTH's initial response after the
	// mechanism, APOP's digest after the user name.
	verb, _, ok := strings.Cut(string(line), " ")
	if !ok {
		return line
	}
	spec := proto.TableFor(s.Client.Machine.Protocol()).Lookup(verb)
	if spec == nil || spec.Secret == nil {
		return line
	}
	from := len([]rune(verb)) + 1
	for range spec.SecretAfter {
		i := slices.Index(line[from:], ' ')
		if i < 0 {
			return line // still typing what may be shown
		}
		from += i + 1
	}
	return stars(line, from)
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
