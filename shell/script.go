package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// maxInputLine caps a line read from standard input in script mode.
const maxInputLine = 1 << 20

// RunScript reads protocol lines from in, as when standard input is not a
// terminal: each line is sent with CRLF and its whole reply awaited before
// the next is read. It returns the exit status: 0 when the session ends
// normally, 1 on an error or (with --errexit) a failure reply.
func RunScript(ctx context.Context, s *Session, in io.Reader, errw io.Writer) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxInputLine)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		err := s.Handle(ctx, line)
		switch {
		case err == nil:
			continue
		case errors.Is(err, ErrQuit):
			return 0
		case errors.Is(err, ErrStop):
			fmt.Fprintf(errw, "mailsh: stopped at %q (--errexit)\n", s.Failed.Lines[0])
			s.Quit()
			return 1
		}
		// Anything else (a lost connection, a missing password, a bad
		// meta-command) leaves the script's later lines meaningless.
		fmt.Fprintf(errw, "mailsh: %v\n", err)
		s.Quit()
		return 1
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(errw, "mailsh: reading standard input: %v\n", err)
		s.Quit()
		return 1
	}
	if s.C == nil || s.C.Closed() {
		if s.C != nil && s.C.M.Snapshot().QuitAccepted {
			return 0
		}
		fmt.Fprintln(errw, "mailsh: the connection was closed by the server")
		return 1
	}
	if s.C.M.State() == proto.SMTPData {
		fmt.Fprintln(errw, "mailsh: input ended in the middle of a message (no \".\" line); the message was not sent")
		s.C.Close()
		return 1
	}
	// The input ended without QUIT: end the session politely.
	s.Quit()
	return 0
}
