package proto

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SendRaw writes b to the connection exactly as given: no CRLF is added,
// nothing is dot-stuffed, and CR and LF are not refused as Command refuses
// them. It lets a person test how their server reads bytes that no
// well-behaved client sends, such as the bare "\n.\n" of SMTP smuggling
// (RFC 5321 §4.5.2 allows only CRLF "." CRLF to end the data;
// CVE-2023-51764). It works in any state, DATA included.
//
// The bytes are reported to the observer as a note, quoted as QuoteRaw
// quotes them, so that a transcript keeps them without taking them for a
// command to replay. The state machine does not follow them: whatever the
// server makes of them, the machine stays where it was.
//
// Replies are reported as they arrive, and a line that is not a reply is
// shown as it came rather than ending the session. SendRaw returns when
// the server has been silent for quiet since the bytes went out or since
// its last line, after max in all, or when the connection ends.
func (c *Client) SendRaw(b []byte, quiet, max time.Duration) error {
	if err := c.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrBotched, err)
	}
	if c.Machine == nil {
		return errors.New("no greeting from the server yet")
	}
	if c.Closed() {
		return ErrClosed
	}
	c.rawWindow.Store(true)
	defer c.rawWindow.Store(false)
	c.observe(Event{Time: time.Now(), Dir: Note, Text: "sent raw: " + QuoteRaw(b)})
	c.wmu.Lock()
	c.textPending = false
	c.setWriteDeadline()
	c.bw.Write(b)
	err := c.bw.Flush()
	c.wmu.Unlock()
	if err != nil {
		err = c.mapErr(err)
		c.botch(err)
		return err
	}
	start := time.Now()
	end := start.Add(max)
	last := start
	for {
		if t := time.Unix(0, c.lastRead.Load()); t.After(last) {
			last = t
		}
		wake := last.Add(quiet)
		if wake.After(end) {
			wake = end
		}
		d := time.Until(wake)
		if d <= 0 {
			return nil
		}
		select {
		case <-c.done:
			return nil
		case <-time.After(d):
		}
	}
}

// QuoteRaw writes bytes for a person in the escapes UnquoteRaw reads:
// \r, \n, \t, \\ and \xNN for every other byte that is not printable
// ASCII. Nothing of the original is lost.
func QuoteRaw(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c == '\r':
			s.WriteString(`\r`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\\':
			s.WriteString(`\\`)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	return s.String()
}

// UnquoteRaw reads text with C escapes into the bytes it stands for:
// \r, \n, \t, \\, \xNN (two hex digits), and \" and \' for quotes. Any
// other backslash is an error, so that a typing mistake is not sent. The
// text may be wrapped whole in double or single quotes, which are not
// part of it; nothing else is added or removed.
func UnquoteRaw(s string) ([]byte, error) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 >= len(s) {
			return nil, errors.New(`a lone \ at the end: write \\ for a backslash`)
		}
		i++
		switch s[i] {
		case 'r':
			out = append(out, '\r')
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case '\\', '"', '\'':
			out = append(out, s[i])
		case 'x':
			if i+2 >= len(s) {
				return nil, errors.New(`\x needs two hex digits`)
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf(`\x%s: not two hex digits`, s[i+1:i+3])
			}
			out = append(out, byte(v))
			i += 2
		default:
			return nil, fmt.Errorf(`unknown escape \%c (use \r \n \t \\ \xNN)`, s[i])
		}
	}
	return out, nil
}
