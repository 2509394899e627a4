// Package progress draws one progress bar for a transfer: bytes written
// through it are counted, and the bar is redrawn on one line at most ten
// times a second.
package progress

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// MinSize is the smallest transfer that gets a bar: smaller ones go by
// too fast to need one.
const MinSize = 1 << 20

// Bar counts bytes written through it and draws them against a total.
type Bar struct {
	w     io.Writer // nil: count silently
	label string
	total int64
	size  func(int64) string
	n     int64
	last  time.Time
	drawn bool
}

// New returns a bar for total bytes drawn on w, with label before it and
// size formatting the count after it (nil for none). A nil w, or a total
// under MinSize, counts without drawing.
func New(w io.Writer, total int64, label string, size func(int64) string) *Bar {
	b := &Bar{label: label, total: total, size: size}
	if total >= MinSize {
		b.w = w
	}
	return b
}

func (b *Bar) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	if b.w != nil && time.Since(b.last) > 100*time.Millisecond {
		b.last = time.Now()
		b.draw()
	}
	return len(p), nil
}

func (b *Bar) draw() {
	const width = 30
	frac := 1.0
	if b.total > 0 {
		frac = min(float64(b.n)/float64(b.total), 1)
	}
	full := int(frac * width)
	fmt.Fprintf(b.w, "\r%s[%s%s] %3.0f%%", b.label, strings.Repeat("=", full), strings.Repeat(" ", width-full), frac*100)
	if b.size != nil {
		fmt.Fprintf(b.w, " %s", b.size(b.n))
	}
	b.drawn = true
}

// Done draws the final state and ends the bar's line.
func (b *Bar) Done() {
	if b.w != nil && b.drawn {
		b.draw()
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}
