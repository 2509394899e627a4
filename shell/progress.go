package shell

import (
	"github.com/mailsh/mailsh/internal/progress"
	"github.com/mailsh/mailsh/message"
)

// progress returns a bar for a transfer of total bytes, drawn on the
// session's progress stream (a terminal's error stream), if any.
func (s *Session) progress(total int64) *progress.Bar {
	return progress.New(s.ProgressTo, total, "", message.HumanSize)
}
