package shell

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
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
	cut     []byte // the start of a UTF-8 character, split across reads
	ready   []byte // what is ready for the editor and did not fit its buffer
	ends    []bool // for each Enter passed on and not yet claimed: pasted?
}

func (p *pasteReader) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		if len(p.ready) > 0 {
			n := copy(b, p.ready)
			p.ready = p.ready[n:]
			p.mu.Unlock()
			return n, nil
		}
		p.mu.Unlock()
		buf := make([]byte, max(len(b), 64))
		n, err := p.r.Read(buf)
		p.mu.Lock()
		p.take(buf[:n], err != nil)
		empty := len(p.ready) == 0
		p.mu.Unlock()
		if err != nil && empty {
			return 0, err
		}
		// Otherwise go round: what came is ready, or it was only
		// brackets or part of a character, and more must be read.
	}
}

// take works through what was read: the paste brackets are dropped and
// noted, each Enter is noted with whether it was pasted, and the rest is
// made ready for the editor (carryBytes).
func (p *pasteReader) take(data []byte, ended bool) {
	in := append(p.held, data...)
	p.held = nil
	var out []byte
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
			case !ended && (bytes.HasPrefix([]byte(pasteStart), in) || bytes.HasPrefix([]byte(pasteEnd), in)):
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
	p.ready = p.carryBytes(p.ready, out, ended)
}

// 8-bit text that is not UTF-8 (Latin-1 typed on a Latin-1 terminal)
// would reach the line editor as U+FFFD and be lost. Each byte of it goes
// through as a rune of its own in a private-use block, and comes back out
// as the same byte when the line is read (rawBytes).
const rawByteBase = 0xF700 // byte b travels as U+F700+b (b ≥ 0x80)

// carryBytes appends data to dst with every byte that is not part of
// valid UTF-8 carried as its private-use rune. A character cut at the end
// waits for the next read, unless the input has ended.
func (p *pasteReader) carryBytes(dst, data []byte, ended bool) []byte {
	data = append(p.cut, data...)
	p.cut = nil
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			if !ended && !utf8.FullRune(data) {
				p.cut = append([]byte(nil), data...)
				break
			}
			dst = utf8.AppendRune(dst, rawByteBase+rune(data[0]))
			data = data[1:]
			continue
		}
		dst = append(dst, data[:size]...)
		data = data[size:]
	}
	return dst
}

// rawBytes turns the private-use runes of carryBytes back into the bytes
// that were typed.
func rawBytes(line string) string {
	if !strings.ContainsFunc(line, isRawByte) {
		return line
	}
	var b strings.Builder
	for _, r := range line {
		if isRawByte(r) {
			b.WriteByte(byte(r - rawByteBase))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isRawByte(r rune) bool { return r >= rawByteBase+0x80 && r <= rawByteBase+0xFF }

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

// showRawBytes shows the runes that carry bytes as "?", for the screen.
// The line is copied before it is changed: it may be the editor's own.
func showRawBytes(line []rune) []rune {
	if !slices.ContainsFunc(line, isRawByte) {
		return line
	}
	out := slices.Clone(line)
	for i, r := range out {
		if isRawByte(r) {
			out[i] = '?'
		}
	}
	return out
}
