package shell

import (
	"errors"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// How long :raw send shows what comes back: until the server has been
// silent for rawQuiet (since the bytes went out, or since its last line),
// and no longer than rawMax in all. Half a second is long enough for a
// server on the same network to answer, short enough not to feel stuck
// when it says nothing (as it should when the bytes do not complete a
// command).
const (
	rawQuiet = 500 * time.Millisecond
	rawMax   = 5 * time.Second
)

// isRawSend reports whether a line is ":raw send …", which works in DATA
// too: there it is the way to put a bare "\n.\n" on the wire.
func isRawSend(line string) bool {
	name, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	sub, _, _ := strings.Cut(strings.TrimLeft(rest, " \t"), " ")
	return strings.EqualFold(name, ":raw") && strings.EqualFold(sub, "send")
}

// rawSend writes text's bytes, escapes decoded, exactly as they are, and
// shows what the server sends back.
func (s *Session) rawSend(text string) error {
	if s.Client == nil || s.Client.Closed() {
		return errors.New("not connected")
	}
	if text == "" {
		return errors.New(`usage: :raw send TEXT (escapes \r \n \t \\ \xNN; nothing is added, not even CRLF): :raw send "NOOP\r\n"`)
	}
	b, err := proto.UnquoteRaw(text)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return errors.New("nothing to send")
	}
	if s.Client.Machine.State().TakesText() {
		// The state machine does not follow raw bytes.
		s.P.Say("mailsh still takes the message as open, whatever the server makes of these bytes: end it with \".\" or :abort")
	}
	max := rawMax
	if s.Client.Timeout > 0 && s.Client.Timeout < max {
		max = s.Client.Timeout
	}
	return s.Client.SendRaw(b, rawQuiet, max)
}
