package shell

import "github.com/mailsh/mailsh/proto"

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
	if state.InLiteral() {
		if s.Client.Machine.Snapshot().LiteralSecret {
			return stars(line, 0)
		}
		return line
	}
	if s.answers.skipping.Load() && isSASLAnswer(proto.TableFor(s.Client.Machine.Protocol()), string(line)) {
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
	// mechanism, APOP's digest and LOGIN's password after the user name.
	from := s.Client.Machine.SecretFrom(string(line))
	if from < 0 {
		return line
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
