package shell

import (
	"bytes"
	"io"
	"sync"
)

// Bracketed paste (xterm's mode 2004): the terminal wraps pasted text in
// ESC [ 200 ~ … ESC [ 201 ~, so that what was pasted can be told from what
// was typed. In DATA a pasted line is always message text — a pasted "."
// does not end the message, a pasted ":abort" does not abandon it — so
// that the rest of a paste never goes to the server as commands.
const (
	pasteOn    = "\x1b[?2004h"
	pasteOff   = "\x1b[?2004l"
	pasteStart = "\x1b[200~"
	pasteEnd   = "\x1b[201~"
)

// pasteReader passes the terminal's input on to the line editor without
// the paste brackets, and notes for each line ended (each Enter) whether
// it came inside a paste.
type pasteReader struct {
	r io.Reader

	mu      sync.Mutex
	pasting bool
	held    []byte // the start of what may be a bracket, split across reads
	ends    []bool // for each Enter passed on and not yet claimed: pasted?
}

func (p *pasteReader) Read(b []byte) (int, error) {
	buf := make([]byte, len(b))
	n, err := p.r.Read(buf)
	p.mu.Lock()
	defer p.mu.Unlock()
	in := append(p.held, buf[:n]...)
	p.held = nil
	out := b[:0]
	for len(in) > 0 {
		c := in[0]
		if c == 0x1b {
			switch {
			case bytes.HasPrefix(in, []byte(pasteStart)):
				p.pasting = true
				in = in[len(pasteStart):]
				continue
			case bytes.HasPrefix(in, []byte(pasteEnd)):
				p.pasting = false
				in = in[len(pasteEnd):]
				continue
			case err == nil && (bytes.HasPrefix([]byte(pasteStart), in) || bytes.HasPrefix([]byte(pasteEnd), in)):
				// A bracket cut by the read: wait for the rest.
				p.held = append([]byte(nil), in...)
				in = nil
				continue
			}
		}
		if c == '\r' || c == '\n' {
			p.ends = append(p.ends, p.pasting)
		}
		out = append(out, c)
		in = in[1:]
	}
	if len(out) == 0 && err == nil {
		// Only brackets came: read on, rather than report nothing.
		return p.Read(b)
	}
	return len(out), err
}

// linePasted claims the oldest Enter passed on and says whether it was
// inside a paste. Every line the editor returns ended with one.
func (p *pasteReader) linePasted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ends) == 0 {
		return false
	}
	pasted := p.ends[0]
	p.ends = p.ends[1:]
	return pasted
}
