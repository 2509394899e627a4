package shell

import (
	"context"
	"io"
)

// RunInteractive runs a session for a person at a terminal.
func RunInteractive(ctx context.Context, s *Session, in io.Reader, errw io.Writer) int {
	return RunScript(ctx, s, in, errw)
}
