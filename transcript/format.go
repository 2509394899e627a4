package transcript

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Magic is the first line of every session's header. Its "1" is the
// version of the format, not the session's number: readers look for this
// exact line, so it stays the same in every header of a file.
const Magic = "# mailsh transcript 1"

// Header describes a recorded session.
type Header struct {
	// Session is the session's number in its file, from 1. Files written
	// before sessions were numbered have no "session:" line; the reader
	// then numbers each session one more than the one before.
	Session   int
	Version   string
	Target    string
	Started   time.Time
	Redaction bool
	// TLS describes the connection's TLS if it was on from the start.
	TLS string
}

// Dir is an entry's direction.
type Dir string

// Directions as written in a transcript.
const (
	Client     Dir = "C:"
	Server     Dir = "S:"
	ClientBody Dir = "C|"
	ServerBody Dir = "S|"
	Note       Dir = "*"
)

// Entry is one line of a session.
type Entry struct {
	Time time.Time
	Dir  Dir
	Text string
}

// FromClient reports whether the client sent the line.
func (e Entry) FromClient() bool { return e.Dir == Client || e.Dir == ClientBody }

// FromServer reports whether the server sent the line.
func (e Entry) FromServer() bool { return e.Dir == Server || e.Dir == ServerBody }

// Body reports whether the line is message text.
func (e Entry) Body() bool { return e.Dir == ClientBody || e.Dir == ServerBody }

const timeLayout = "15:04:05.000000"

// writeHeader writes a header.
func writeHeader(w io.Writer, h Header) error {
	red := "on"
	if !h.Redaction {
		red = "off (this file may hold passwords)"
	}
	s := Magic + "\n"
	if h.Session > 0 {
		s += fmt.Sprintf("# session: %d\n", h.Session)
	}
	s += fmt.Sprintf("# version: %s\n# target: %s\n# started: %s\n# redaction: %s\n",
		h.Version, h.Target, h.Started.Format("2006-01-02T15:04:05.000Z07:00"), red)
	if h.TLS != "" {
		s += "# tls: " + h.TLS + "\n"
	}
	_, err := io.WriteString(w, s+"\n")
	return err
}

// FormatEntry renders one entry as a transcript line, without the newline.
func FormatEntry(e Entry) string {
	return e.Time.Format(timeLayout) + " " + string(e.Dir) + " " + e.Text
}

// Session is one recorded session: its header and entries.
type Session struct {
	Header  Header
	Entries []Entry
}

// ErrFormat is returned for a file that is not a transcript.
var ErrFormat = errors.New("not a mailsh transcript")

// Reader reads a transcript entry by entry, so that a large one need not
// be held in memory.
type Reader struct {
	sc     *bufio.Scanner
	line   int
	header *Header // header of the session being read
	number int     // the number of the last session begun
	last   time.Time
	err    error
}

// NewReader returns a reader of the transcript in r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	return &Reader{sc: sc}
}

// Header returns the header of the session the last entry belongs to.
func (r *Reader) Header() *Header { return r.header }

// Next returns the next entry. It returns io.EOF at the end, and
// (nil entry, nil error) with newSession true when a new session's header
// begins (the first one included).
func (r *Reader) Next() (e Entry, newSession bool, err error) {
	for r.sc.Scan() {
		r.line++
		text := r.sc.Text()
		if text == Magic {
			h, err := r.readHeader()
			if err != nil {
				return Entry{}, false, err
			}
			if h.Session <= 0 {
				h.Session = r.number + 1
			}
			r.header, r.last, r.number = h, h.Started, h.Session
			return Entry{}, true, nil
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if r.header == nil {
			return Entry{}, false, fmt.Errorf("%w: line %d comes before the header", ErrFormat, r.line)
		}
		e, err := r.parseEntry(text)
		if err != nil {
			return Entry{}, false, err
		}
		return e, false, nil
	}
	if err := r.sc.Err(); err != nil {
		return Entry{}, false, err
	}
	if r.header == nil {
		return Entry{}, false, fmt.Errorf("%w: no %q line", ErrFormat, Magic)
	}
	return Entry{}, false, io.EOF
}

func (r *Reader) readHeader() (*Header, error) {
	h := &Header{Redaction: true}
	for r.sc.Scan() {
		r.line++
		text := r.sc.Text()
		if text == "" {
			break
		}
		key, val, ok := strings.Cut(strings.TrimPrefix(text, "# "), ": ")
		if !ok {
			continue
		}
		switch key {
		case "session":
			// A number that is not one is ignored, as LastSession
			// ignores it: the session is numbered by its place.
			if n, err := strconv.Atoi(val); err == nil && n > 0 {
				h.Session = n
			}
		case "version":
			h.Version = val
		case "target":
			h.Target = val
		case "started":
			t, err := time.Parse("2006-01-02T15:04:05.000Z07:00", val)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: bad start time %q", ErrFormat, r.line, val)
			}
			h.Started = t
		case "redaction":
			h.Redaction = val == "on"
		case "tls":
			h.TLS = val
		}
	}
	return h, nil
}

// parseEntry reads "HH:MM:SS.uuuuuu DIR TEXT". The date comes from the
// header; a time earlier than the previous entry's means midnight passed.
func (r *Reader) parseEntry(text string) (Entry, error) {
	ts, rest, ok := strings.Cut(text, " ")
	if !ok {
		return Entry{}, fmt.Errorf("%w: line %d: %q", ErrFormat, r.line, text)
	}
	// Any number of fractional digits is accepted when reading.
	clock, err := time.Parse("15:04:05.999999999", ts)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: line %d: bad time %q", ErrFormat, r.line, ts)
	}
	base := r.header.Started
	y, mo, d := r.last.In(base.Location()).Date()
	t := time.Date(y, mo, d, clock.Hour(), clock.Minute(), clock.Second(), clock.Nanosecond(), base.Location())
	if t.Before(r.last.Add(-time.Second)) {
		t = t.AddDate(0, 0, 1)
	}
	r.last = t
	var dir Dir
	switch {
	case strings.HasPrefix(rest, "C: ") || rest == "C:":
		dir = Client
	case strings.HasPrefix(rest, "S: ") || rest == "S:":
		dir = Server
	case strings.HasPrefix(rest, "C| ") || rest == "C|":
		dir = ClientBody
	case strings.HasPrefix(rest, "S| ") || rest == "S|":
		dir = ServerBody
	case strings.HasPrefix(rest, "* ") || rest == "*":
		return Entry{Time: t, Dir: Note, Text: strings.TrimPrefix(strings.TrimPrefix(rest, "*"), " ")}, nil
	default:
		return Entry{}, fmt.Errorf("%w: line %d: no direction (C:, S:, C|, S|, *): %q", ErrFormat, r.line, text)
	}
	body := ""
	if len(rest) > 3 {
		body = rest[3:]
	}
	return Entry{Time: t, Dir: dir, Text: body}, nil
}

// ReadAll reads a whole transcript (for small ones and for tests).
func ReadAll(r io.Reader) ([]Session, error) {
	tr := NewReader(r)
	var out []Session
	for {
		e, newSession, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if newSession {
			out = append(out, Session{Header: *tr.Header()})
			continue
		}
		out[len(out)-1].Entries = append(out[len(out)-1].Entries, e)
	}
}

// LastSession returns the number of the last session in the transcript in
// r, or 0 if it holds none, so that a session appended to the file can
// take the next number. It reads the file once, a buffer at a time, and
// looks only at whole lines that fit the buffer: message text is skipped,
// however long its lines.
func LastSession(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, prefix := []byte(Magic), []byte("# session: ")
	last := 0
	inHeader := false // between a Magic line and the blank line after it
	lineStart := true // the next read begins a line
	for {
		b, err := br.ReadSlice('\n')
		if lineStart && !errors.Is(err, bufio.ErrBufferFull) {
			line := bytes.TrimRight(b, "\r\n")
			switch {
			case bytes.Equal(line, magic):
				last++
				inHeader = true
			case len(line) == 0:
				inHeader = false
			case inHeader && bytes.HasPrefix(line, prefix):
				if n, err := strconv.Atoi(string(line[len(prefix):])); err == nil && n > 0 {
					last = n
				}
			}
		}
		lineStart = err == nil
		switch {
		case errors.Is(err, io.EOF):
			return last, nil
		case err != nil && !errors.Is(err, bufio.ErrBufferFull):
			return last, err
		}
	}
}
