package transcript

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ExportMarkdown writes the transcript at path as Markdown ready for a
// report: each session as a fenced block like a telnet listing, then a
// table of commands, reply codes, the time each reply took and what the
// code means. It reads the file twice rather than hold it in memory.
func ExportMarkdown(path string, w io.Writer) error {
	sessions, err := collect(path)
	if err != nil {
		return err
	}
	// Pass two: the listings, each with a fence longer than any run of
	// backticks inside it.
	fence := "```"
	if err := forEachLine(path, func(_ int, e Entry) {
		for strings.Contains(e.Text, fence) {
			fence += "`"
		}
	}); err != nil {
		return err
	}
	bw := &errWriter{w: w}
	cur := -1
	if err := forEachLine(path, func(idx int, e Entry) {
		if idx != cur {
			if cur >= 0 {
				writeTable(bw, sessions[cur].xs, fence)
			}
			cur = idx
			h := sessions[idx].h
			if idx > 0 {
				bw.printf("\n")
			}
			bw.printf("## mailsh session: %s\n\n", h.Target)
			red := "Passwords and other secrets are shown as `[redacted]`."
			if !h.Redaction {
				red = "**Recorded without redaction: this listing may contain passwords.**"
			}
			bw.printf("Recorded %s with mailsh %s. %s\n\n", h.Started.Format("2006-01-02 15:04:05 MST"), h.Version, red)
			bw.printf("%s\n", fence)
		}
		switch e.Dir {
		case Note:
			bw.printf("* %s\n", e.Text)
		default:
			bw.printf("%s\n", e.Text)
		}
	}); err != nil {
		return err
	}
	if cur >= 0 {
		writeTable(bw, sessions[cur].xs, fence)
	}
	return bw.err
}

func writeTable(bw *errWriter, xs []*Exchange, fence string) {
	bw.printf("%s\n\n", fence)
	bw.printf("| # | Command | Reply | Time | Meaning |\n|---:|---|---|---:|---|\n")
	for _, x := range xs {
		cmd := "(greeting)"
		if x.Command != "" {
			cmd = "`" + strings.ReplaceAll(x.Command, "`", "'") + "`"
		}
		if x.LiteralSent > 0 {
			cmd = fmt.Sprintf("%s (with %d lines of literal)", cmd, x.LiteralSent)
		}
		if x.BodySent > 0 {
			cmd = fmt.Sprintf("%s (after %d lines of message text)", cmd, x.BodySent)
		}
		reply := ""
		if len(x.Reply) > 0 {
			reply = "`" + strings.ReplaceAll(x.Status, "`", "'") + "`"
		}
		if x.BodyRecv > 0 || x.MultiLine {
			reply += fmt.Sprintf(" + %d lines", x.BodyRecv)
		}
		took := "—"
		if d := x.Took(); d > 0 || x.Command != "" && !x.Replied.IsZero() {
			took = humanDuration(d)
		}
		bw.printf("| %d | %s | %s | %s | %s |\n", x.N, cell(cmd), cell(reply), took, cell(x.Meaning))
	}
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// humanDuration prints 0.4 ms, 12 ms, 1.3 s.
func humanDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// forEachLine calls fn for each entry with the index of its session.
func forEachLine(path string, fn func(session int, e Entry)) error {
	return forEach(path, nil, func(idx int, e Entry) error {
		fn(idx, e)
		return nil
	})
}

// forEach reads the transcript at path entry by entry, calling header at
// the start of each session and fn for each entry, with the session's
// index. It stops at the first error either returns.
func forEach(path string, header func(idx int, h *Header) error, fn func(idx int, e Entry) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := NewReader(f)
	idx := -1
	for {
		e, newSession, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if newSession {
			idx++
			if header != nil {
				if err := header(idx, tr.Header()); err != nil {
					return err
				}
			}
			continue
		}
		if err := fn(idx, e); err != nil {
			return err
		}
	}
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
