package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ergochat/readline"
	"golang.org/x/term"
)

// LineEditor is what the interactive shell needs of a line editor. The
// readline implementation is used at a real terminal; the plain one when
// TERM=dumb, where cursor queries and escape sequences do not work.
type LineEditor interface {
	// ReadLine reads one line. It returns ErrInterrupt for Ctrl-C, with
	// what had been typed, and io.EOF for Ctrl-D on an empty line.
	ReadLine() (string, error)
	// ReadPassword reads a line without echo.
	ReadPassword(prompt string) (string, error)
	// Ask reads one line with a one-off prompt, outside the history.
	Ask(prompt string) (string, error)
	SetPrompt(prompt string)
	// Output is where to print so that the line being typed survives.
	Output() io.Writer
	// SaveHistory adds a line to the history (and its file).
	SaveHistory(line string)
	// Pasted reports whether the line ReadLine returned last came inside
	// a bracketed paste.
	Pasted() bool
	Close() error
}

// ErrInterrupt is returned by ReadLine when the user pressed Ctrl-C.
var ErrInterrupt = errors.New("interrupted")

// HistoryPath is where the shell keeps its history: the XDG state
// directory ($XDG_STATE_HOME/mailsh/history, ~/.local/state/mailsh/history).
func HistoryPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "mailsh", "history")
}

// readlineEditor wraps github.com/ergochat/readline, the maintained fork of
// chzyer/readline (see the README's notes on dependencies).
type readlineEditor struct {
	rl *readline.Instance

	mu     sync.Mutex
	asking bool   // a one-off prompt (password, question) is up
	prompt string // the session prompt, to restore afterwards

	// The painter and the listener run inside readline, some of it under
	// its lock, so what they read is atomic rather than under mu.
	secret    atomic.Bool            // the line being typed is a secret: show nothing
	typed     atomic.Pointer[[]rune] // the line as it was after the last key, for Ctrl-C
	typedPos  atomic.Int64           // the cursor's place in it
	reading   atomic.Bool            // ReadLine is waiting for keys
	painted   atomic.Pointer[[]rune] // the line as last painted, as the painter judged it
	paste     *pasteReader           // which lines came inside a bracketed paste
	pasted    bool                   // the line ReadLine returned last was pasted
	out       io.Writer              // the terminal, told to stop bracketing pastes at Close
	closeOnce sync.Once
	key       atomic.Pointer[keyPress]
	// ahead keeps keys typed between lines unechoed (typeahead_linux.go);
	// nil when standard input is not a terminal.
	ahead *typeAhead
}

// keyPress is a key being handled and the line as it was before it.
// readline paints a character typed at the end of the line on its own (a
// fast path that skips redrawing the line), so the painter sees only that
// character; with the line before it, the painter can still judge the
// whole line, and mask "PASS " followed by what is being typed.
type keyPress struct {
	r      rune
	before []rune // the line before the key
	atEnd  bool   // the cursor was at the end of the line
}

// EditorConfig configures the readline editor.
type EditorConfig struct {
	In          io.Reader
	Out         io.Writer
	HistoryFile string
	Complete    readline.AutoCompleter
	// Paint rewrites the line for display (masking a password as typed).
	Paint func(line []rune, pos int) []rune
}

func newReadlineEditor(cfg EditorConfig) (*readlineEditor, error) {
	if cfg.HistoryFile != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.HistoryFile), 0o700); err != nil {
			cfg.HistoryFile = ""
		}
	}
	rc := &readline.Config{
		HistoryFile: cfg.HistoryFile,
		// mailsh saves each line itself, so that PASS, AUTH and SASL
		// answers never reach the history file.
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           cfg.Complete,
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n",
		Undo:                   true,
	}
	e := &readlineEditor{}
	paint := func(line []rune, pos int) []rune {
		switch {
		case e.secret.Load():
			// Not even the length of a password shows; the line's end
			// (Enter) still moves to the next line.
			if len(line) > 0 && line[len(line)-1] == '\n' {
				return []rune{'\n'}
			}
			return nil
		case cfg.Paint != nil:
			if k := e.key.Load(); k != nil && k.atEnd && len(line) == 1 && line[0] == k.r && pos == 1 {
				// The fast path: paint the key as part of the whole line.
				full := append(append([]rune(nil), k.before...), line...)
				if p := cfg.Paint(full, len(full)); len(p) == len(full) {
					return p[len(p)-1:]
				}
				return []rune{'*'}
			}
			return cfg.Paint(line, pos)
		}
		return line
	}
	// Bytes that are not UTF-8 travel as private-use runes (paste.go);
	// they show as "?".
	rc.Painter = func(line []rune, pos int) []rune { return showRawBytes(paint(line, pos)) }
	rc.FuncFilterInputRune = func(r rune) (rune, bool) {
		k := &keyPress{r: r, atEnd: true}
		if t := e.typed.Load(); t != nil {
			k.before = *t
			k.atEnd = e.typedPos.Load() == int64(len(*t))
		}
		e.key.Store(k)
		return r, true
	}
	// readline returns nothing with ErrInterrupt; the listener remembers
	// what was typed, so that Ctrl-C on a line cancels it and only
	// Ctrl-C on an empty line counts towards leaving.
	rc.Listener = func(line []rune, pos int, _ rune) ([]rune, int, bool) {
		l := append([]rune(nil), line...)
		e.typed.Store(&l)
		e.typedPos.Store(int64(pos))
		e.key.Store(nil)
		if cfg.Paint != nil && !e.secret.Load() {
			// The fast path painted only the last key. If the judgement
			// of the whole line changed with it ("N", "NO" could be a SASL
			// answer; "NOOP " is a command), paint the line again.
			now := cfg.Paint(l, pos)
			if prev := e.painted.Load(); prev != nil && !hasRunePrefix(now, (*prev)[:min(len(*prev), max(len(now)-1, 0))]) {
				e.rl.Refresh()
			}
			e.painted.Store(&now)
		}
		return nil, 0, false
	}
	if cfg.In != nil {
		e.paste = &pasteReader{r: cfg.In}
		rc.Stdin = e.paste
	}
	// readline's raw mode is on standard input; between lines it goes
	// back to line mode without echo, not to the original modes.
	if f, ok := cfg.In.(*os.File); ok && int(f.Fd()) == int(syscall.Stdin) {
		if e.ahead = newTypeAhead(int(syscall.Stdin)); e.ahead != nil {
			rc.FuncMakeRaw = e.ahead.raw
			rc.FuncExitRaw = e.ahead.quiet
		}
	}
	if f, ok := cfg.Out.(*os.File); ok {
		rc.Stdout = f
	}
	rl, err := readline.NewFromConfig(rc)
	if err != nil {
		return nil, err
	}
	if cfg.Out != nil {
		// Ask the terminal to bracket what is pasted (paste.go).
		io.WriteString(cfg.Out, pasteOn)
		e.out = cfg.Out
	}
	// History files written before this version could hold anything;
	// keep them private.
	if cfg.HistoryFile != "" {
		os.Chmod(cfg.HistoryFile, 0o600)
	}
	e.rl = rl
	return e, nil
}

// hasRunePrefix reports whether s begins with prefix.
func hasRunePrefix(s, prefix []rune) bool {
	return len(s) >= len(prefix) && slices.Equal(s[:len(prefix)], prefix)
}

// startLine forgets the previous line before a new one is read.
func (e *readlineEditor) startLine() {
	e.painted.Store(nil)
	e.typed.Store(nil)
	e.typedPos.Store(0)
	e.key.Store(nil)
}

func (e *readlineEditor) ReadLine() (string, error) {
	e.startLine()
	e.reading.Store(true)
	line, err := e.rl.ReadLine()
	e.reading.Store(false)
	e.pasted = err == nil && e.paste != nil && e.paste.linePasted()
	if errors.Is(err, readline.ErrInterrupt) {
		typed := ""
		if l := e.typed.Load(); l != nil {
			typed = string(*l)
		}
		return rawBytes(typed), ErrInterrupt
	}
	return rawBytes(line), err
}

// ReadPassword reads a line that is neither shown nor kept in history.
func (e *readlineEditor) ReadPassword(prompt string) (string, error) {
	return e.ask(prompt, true)
}

// Ask reads one line with its own prompt, outside the history.
func (e *readlineEditor) Ask(prompt string) (string, error) {
	return e.ask(prompt, false)
}

// ask reads one line with a one-off prompt through the same editor:
// history off (not even the line being typed is kept for Up), and for a
// secret the painter shows nothing. readline's own password configuration
// is not used: Instance.ReadPassword ignores its prompt, and with no mask
// rune (so as not to show the password's length) it writes a NUL byte per
// character typed.
func (e *readlineEditor) ask(prompt string, secret bool) (string, error) {
	e.mu.Lock()
	e.asking = true
	e.rl.SetPrompt(prompt)
	e.mu.Unlock()
	e.secret.Store(secret)
	e.rl.DisableHistory()
	defer func() {
		e.rl.EnableHistory()
		e.secret.Store(false)
		e.mu.Lock()
		e.asking = false
		e.rl.SetPrompt(e.prompt) // it may have changed meanwhile
		e.mu.Unlock()
	}()
	e.startLine()
	line, err := e.rl.ReadLine()
	if err == nil && e.paste != nil {
		e.paste.linePasted() // the answer's Enter
	}
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return rawBytes(line), err
}

// SetPrompt changes the session prompt and redraws it; it is safe to call
// from any goroutine. While a one-off prompt is up, the change waits.
func (e *readlineEditor) SetPrompt(p string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p == e.prompt {
		return
	}
	e.prompt = p
	if !e.asking {
		e.rl.SetPrompt(p)
		// A prompt on the screen means that keys are read: while a
		// command runs, the new prompt waits for the next ReadLine.
		if e.reading.Load() {
			e.rl.Refresh()
		}
	}
}
func (e *readlineEditor) Output() io.Writer       { return e.rl.Stdout() }
func (e *readlineEditor) SaveHistory(line string) { e.rl.SaveToHistory(line) }
func (e *readlineEditor) Close() error {
	err := e.rl.Close()
	if e.out != nil {
		e.closeOnce.Do(func() { io.WriteString(e.out, pasteOff) })
	}
	if e.ahead != nil {
		e.ahead.restore()
	}
	return err
}

// Pasted reports whether the line ReadLine returned last came inside a
// bracketed paste.
func (e *readlineEditor) Pasted() bool { return e.pasted }

// plainEditor reads lines with no editing, for TERM=dumb.
type plainEditor struct {
	mu     sync.Mutex
	in     *bufio.Reader
	fd     int
	out    io.Writer
	prompt string
}

func newPlainEditor(in io.Reader, out io.Writer) *plainEditor {
	e := &plainEditor{in: bufio.NewReader(in), out: out, fd: -1}
	if f, ok := in.(*os.File); ok {
		e.fd = int(f.Fd())
	}
	return e
}

func (e *plainEditor) ReadLine() (string, error) {
	e.mu.Lock()
	fmt.Fprint(e.out, e.prompt)
	e.mu.Unlock()
	line, err := e.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (e *plainEditor) ReadPassword(prompt string) (string, error) {
	fmt.Fprint(e.out, prompt)
	if e.fd >= 0 && term.IsTerminal(e.fd) {
		b, err := term.ReadPassword(e.fd)
		fmt.Fprintln(e.out)
		return string(b), err
	}
	return "", errors.New("cannot read a password without echo here")
}

func (e *plainEditor) Ask(prompt string) (string, error) {
	fmt.Fprint(e.out, prompt)
	line, err := e.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (e *plainEditor) SetPrompt(p string) {
	e.mu.Lock()
	e.prompt = p
	e.mu.Unlock()
}
func (e *plainEditor) Output() io.Writer  { return e.out }
func (e *plainEditor) SaveHistory(string) {}
func (e *plainEditor) Close() error       { return nil }
func (e *plainEditor) Pasted() bool       { return false }
