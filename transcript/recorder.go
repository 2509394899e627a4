package transcript

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/mailsh/mailsh/proto"
)

// Options configure a Recorder.
type Options struct {
	// NoRedact records secrets as sent. The file then holds passwords.
	NoRedact bool
	// BodyLines, if positive, keeps only the first BodyLines lines of each
	// message body and notes how many were left out.
	BodyLines int
}

// Recorder writes a session to a transcript file as it happens. Each line
// is written with one write(2) as soon as it crosses the wire, so that
// Ctrl-C, a kill or a crash loses nothing already exchanged; Close syncs
// the file to disk.
type Recorder struct {
	mu   sync.Mutex
	f    *os.File
	path string
	opts Options
	err  error
	// session is the number of the session being recorded: one more than
	// the file's last when it was opened, one more at each NewSession.
	session int

	// Body abbreviation: lines seen and left out of the current body.
	bodyDir     Dir
	bodySeen    int
	bodySkipped int
	bodyBytes   int64
}

// ErrIsDir is returned when the transcript path is a directory.
var ErrIsDir = errors.New("is a directory")

// Open starts recording to path. An existing file is never overwritten:
// the new session is appended to it, and appended reports so. The session
// is numbered after the file's last (h.Session is ignored).
func Open(path string, h Header, opts Options) (r *Recorder, appended bool, err error) {
	if st, err := os.Stat(path); err == nil {
		if st.IsDir() {
			return nil, false, fmt.Errorf("%s: %w", path, ErrIsDir)
		}
		appended = st.Size() > 0
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, false, err
	}
	last := 0
	if appended {
		if last, err = lastSessionIn(path); err != nil {
			f.Close()
			return nil, false, err
		}
	}
	h.Redaction = !opts.NoRedact
	h.Session = last + 1
	r = &Recorder{f: f, path: path, opts: opts, session: h.Session}
	if appended {
		f.WriteString("\n")
	}
	if err := writeHeader(f, h); err != nil {
		f.Close()
		return nil, false, err
	}
	return r, appended, nil
}

// Path returns the file being written.
func (r *Recorder) Path() string { return r.path }

// Event records one event of the session.
func (r *Recorder) Event(e proto.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil || r.err != nil {
		return
	}
	dir := Note
	switch e.Dir {
	case proto.FromClient:
		dir = Client
		if e.Body {
			dir = ClientBody
		}
	case proto.FromServer:
		dir = Server
		if e.Body {
			dir = ServerBody
		}
	}
	text := e.Text
	if e.Secret && r.opts.NoRedact && e.Raw != "" {
		text = e.Raw
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	if dir == ClientBody || dir == ServerBody {
		if r.abbreviate(dir, len(text)) {
			return
		}
	} else {
		r.endBody(e.Time)
	}
	r.write(Entry{Time: e.Time, Dir: dir, Text: text})
}

// abbreviate counts a body line and reports whether to leave it out.
func (r *Recorder) abbreviate(dir Dir, n int) bool {
	if r.opts.BodyLines <= 0 {
		return false
	}
	if r.bodyDir != dir {
		r.bodyDir, r.bodySeen, r.bodySkipped, r.bodyBytes = dir, 0, 0, 0
	}
	r.bodySeen++
	if r.bodySeen <= r.opts.BodyLines {
		return false
	}
	r.bodySkipped++
	r.bodyBytes += int64(n) + 2
	return true
}

// endBody notes the lines an abbreviated body left out.
func (r *Recorder) endBody(t time.Time) {
	if r.bodySkipped > 0 {
		r.write(Entry{Time: t, Dir: Note, Text: fmt.Sprintf("[%d more lines of message text (%d octets) not recorded]", r.bodySkipped, r.bodyBytes)})
	}
	r.bodyDir, r.bodySeen, r.bodySkipped, r.bodyBytes = "", 0, 0, 0
}

func (r *Recorder) write(e Entry) {
	if _, err := r.f.WriteString(FormatEntry(e) + "\n"); err != nil {
		r.err = err
	}
}

// Err returns the first write error (a full disk, say).
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close ends the recording and syncs the file.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil {
		return r.err
	}
	r.endBody(time.Now())
	err := r.f.Sync()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.f = nil
	if r.err != nil {
		return r.err
	}
	return err
}

// NewSession starts a new header in the same file, for a session that
// moved to another server. It takes the next number (h.Session is ignored).
func (r *Recorder) NewSession(h Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.f == nil || r.err != nil {
		return
	}
	r.endBody(time.Now())
	h.Redaction = !r.opts.NoRedact
	r.session++
	h.Session = r.session
	r.f.WriteString("\n")
	if err := writeHeader(r.f, h); err != nil {
		r.err = err
	}
}

// lastSessionIn returns the number of the last session in the file at path.
func lastSessionIn(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return LastSession(f)
}
