package shell

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailsh/mailsh/message"
)

// progressBar counts bytes written through it and, at a terminal, draws a
// bar on one line of the error stream, at most ten times a second.
type progressBar struct {
	w     io.Writer // nil: count silently
	total int64
	n     int64
	last  time.Time
	drawn bool
}

// progress returns a bar for a transfer of total bytes. Files under 1 MiB
// go by too fast to need one.
func (s *Session) progress(total int64) *progressBar {
	p := &progressBar{total: total}
	if s.ProgressTo != nil && total >= 1<<20 {
		p.w = s.ProgressTo
	}
	return p
}

func (p *progressBar) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	if p.w != nil && time.Since(p.last) > 100*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
	return len(b), nil
}

func (p *progressBar) draw() {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = float64(p.n) / float64(p.total)
	}
	if frac > 1 {
		frac = 1
	}
	full := int(frac * width)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %s", strings.Repeat("=", full), strings.Repeat(" ", width-full), frac*100, message.HumanSize(p.n))
	p.drawn = true
}

// Done draws the final state and ends the bar's line.
func (p *progressBar) Done() {
	if p.w != nil && p.drawn {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
