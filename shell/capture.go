package shell

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mailsh/mailsh/proto"
)

// capture keeps the last message retrieved (POP3's RETR or TOP, IMAP's
// FETCH of BODY[] or RFC822) in a file, as
// it streams past, so that the message commands (:show, :mime, :save,
// :hops, :headers) can work on it without holding it in memory.
type capture struct {
	mu      sync.Mutex
	dir     string
	f       *os.File
	w       *bufio.Writer
	verb    string
	last    string // path of the last complete message
	lastArg string // "RETR 22"
	err     error
}

func (c *capture) event(e proto.Event) {
	if e.Dir != proto.FromServer {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case e.Begins:
		c.start(e.Verb)
	case e.Body && c.w != nil:
		// A POP3 event shows the wire form: undo the dot-stuffing. An
		// IMAP literal was read by count, and is as it is.
		text := e.Text
		if !e.Literal && strings.HasPrefix(text, ".") {
			text = text[1:]
		}
		c.w.WriteString(text)
		c.w.WriteString("\r\n")
	case c.w != nil:
		c.finish()
	}
}

func (c *capture) start(verb string) {
	c.abort()
	if c.dir == "" {
		dir, err := os.MkdirTemp("", "mailsh-")
		if err != nil {
			c.err = err
			return
		}
		c.dir = dir
	}
	f, err := os.CreateTemp(c.dir, "retr-*.eml")
	if err != nil {
		c.err = err
		return
	}
	c.f, c.w, c.verb = f, bufio.NewWriterSize(f, 64<<10), verb
}

func (c *capture) finish() {
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		c.err = err
		os.Remove(c.f.Name())
	} else {
		if c.last != "" {
			os.Remove(c.last)
		}
		c.last, c.err = c.f.Name(), nil
	}
	c.f, c.w = nil, nil
}

func (c *capture) abort() {
	if c.f != nil {
		c.f.Close()
		os.Remove(c.f.Name())
		c.f, c.w = nil, nil
	}
}

// close removes the captured files.
func (c *capture) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.abort()
	if c.dir != "" {
		os.RemoveAll(c.dir)
		c.dir, c.last = "", ""
	}
}

// ErrNoMessage is returned when no message has been retrieved yet.
var ErrNoMessage = errors.New("no message retrieved yet: retrieve one first (:show N does), or give a FILE")

// LastMessage returns the file holding the last message retrieved with
// RETR or TOP (its full text for RETR, the header and first lines for TOP).
func (s *Session) LastMessage() (string, error) {
	s.capture.mu.Lock()
	defer s.capture.mu.Unlock()
	if s.capture.last == "" {
		if s.capture.err != nil {
			return "", s.capture.err
		}
		return "", ErrNoMessage
	}
	return filepath.Clean(s.capture.last), nil
}

// Close releases what the session holds: the transcript (synced to disk)
// and the captured messages.
func (s *Session) Close() {
	if err := s.StopTranscript(); err != nil {
		s.P.Warn("mailsh: %v", err)
	}
	s.capture.close()
}
