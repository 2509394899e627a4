package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// Interactive configures RunInteractive.
type Interactive struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// Colour turns on colour in the prompt.
	Colour bool
	// Plain uses no line editing (TERM=dumb).
	Plain bool
	// HistoryFile is where history is kept; empty for none.
	HistoryFile string
}

// RunInteractive runs a session for a person at a terminal: a line editor
// with history and state-aware completion, a prompt that says where the
// session stands, server output printed above the line being typed, and
// passwords read without echo.
func RunInteractive(ctx context.Context, s *Session, cfg Interactive) int {
	var ed LineEditor
	comp := &completer{s: s}
	if !cfg.Plain {
		rl, err := newReadlineEditor(EditorConfig{In: cfg.In, Out: cfg.Out, HistoryFile: cfg.HistoryFile, Complete: comp, Paint: s.maskSecrets})
		if err != nil {
			fmt.Fprintf(cfg.Err, "mailsh: line editing unavailable (%v); using plain input\n", err)
		} else {
			ed = rl
		}
	}
	if ed == nil {
		ed = newPlainEditor(cfg.In, cfg.Out)
	}
	defer ed.Close()
	out := ed.Output()
	s.P.SetOutput(out)
	comp.show = func(text string) {
		go func() { fmt.Fprint(out, text) }()
	}
	s.Secrets = editorSecrets{ed}
	s.Opts.Confirm = func(q string) bool {
		a, err := ed.Ask(q)
		return err == nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a)), "y")
	}
	s.Opts.AskUser = func(p string) (string, error) { return ed.Ask(p) }
	s.ProgressTo = cfg.Err

	// The prompt is worked out and set under one lock, by the loop and
	// when the server changes the state on its own: otherwise a prompt
	// worked out just before a close could be set just after it.
	var promptMu sync.Mutex
	setPrompt := func() {
		promptMu.Lock()
		defer promptMu.Unlock()
		ed.SetPrompt(s.prompt(cfg.Colour))
	}
	setPrompt()
	// Keep the prompt true when the server changes the state on its own
	// (a 421, a close).
	s.P.afterEvent = func(e proto.Event) {
		if e.Dir == proto.Note {
			setPrompt()
		}
	}

	// The client a Ctrl-C or a SIGTERM may have to close: the one in use
	// by the command running now. The signal goroutine reads it here, not
	// in the session, which :connect and :abort change.
	var current atomic.Pointer[proto.Client]
	closeCurrent := func() {
		if c := current.Load(); c != nil {
			c.Close()
		}
	}

	// SIGTERM (ctx ends): stop waiting for keys or for the server, and
	// return through the normal path, so that the terminal is restored,
	// the transcript closed and a built-in server shut down by the callers.
	var terminated atomic.Bool
	stopWatch := context.AfterFunc(ctx, func() {
		terminated.Store(true)
		closeCurrent()
		ed.Close()
	})
	defer stopWatch()

	// Ctrl-C while waiting for the server: the first says what is going
	// on, the second abandons the connection.
	var busy atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	var sigOnce sync.Mutex
	interrupts := 0
	go func() {
		for range sigs {
			sigOnce.Lock()
			if busy.Load() {
				interrupts++
				if interrupts == 1 {
					s.P.Warn("waiting for the server; press Ctrl-C again to close the connection")
				} else {
					s.P.Warn("closing the connection")
					closeCurrent()
				}
			}
			sigOnce.Unlock()
		}
	}()

	if s.Client != nil {
		if cfg.Plain {
			s.P.Say("connected to %s — :help lists commands, Ctrl-D leaves", s.Target.URL())
		} else {
			s.P.Say("connected to %s — TAB completes, :help lists commands, Ctrl-D leaves", s.Target.URL())
		}
	}
	lastInterrupt := false
	for {
		if terminated.Load() {
			return s.terminate()
		}
		setPrompt()
		comp.newLine()
		line, err := ed.ReadLine()
		if terminated.Load() {
			return s.terminate()
		}
		if err == nil && ed.Pasted() && s.inData() {
			// A pasted line is message text, whatever it says: a "." in
			// the paste does not end the message, nor does the rest of
			// the paste go to the server as commands (paste.go).
			s.typed(proto.StuffLine(line))
			if err := s.Client.Text(line); err != nil {
				s.P.Warn("mailsh: %v", err)
			}
			continue
		}
		switch {
		case errors.Is(err, ErrInterrupt) && s.idling():
			// Ctrl-C ends IDLE, as DONE does (RFC 2177).
			end := s.Client.Machine.Protocol().Spec().IdleEnd
			s.P.Say("Ctrl-C: %s ends the wait for updates", end)
			line, err = end, nil
		case errors.Is(err, ErrInterrupt):
			if line == "" && lastInterrupt {
				s.Quit()
				return 0
			}
			if line == "" {
				s.P.Say("(Ctrl-C again, or Ctrl-D, to leave)")
			}
			lastInterrupt = line == ""
			continue
		case errors.Is(err, io.EOF) && s.inData():
			// Ctrl-D ends the message, as in Unix mail: the same as a
			// lone ".".
			s.P.Say("Ctrl-D: end of the message, sent as a lone \".\"")
			line = "."
		case errors.Is(err, io.EOF):
			s.Quit()
			return 0
		case err != nil:
			fmt.Fprintf(cfg.Err, "mailsh: %s\n", termsafe.Text(err.Error()))
			s.Quit()
			return 1
		}
		lastInterrupt = false
		// The answers of an AUTH the server refused, pasted with it, are
		// not sent (as in script mode).
		if s.answers.drop(s, line) {
			s.answers.report(s)
			continue
		}
		if s.historyWorthy(line) {
			ed.SaveHistory(line)
		}
		sigOnce.Lock()
		interrupts = 0
		sigOnce.Unlock()
		current.Store(s.Client)
		busy.Store(true)
		inAuth := s.answers.exchange(s, line)
		err = s.Handle(ctx, line)
		s.answers.after(s, inAuth)
		busy.Store(false)
		current.Store(nil)
		if terminated.Load() {
			return s.terminate()
		}
		switch {
		case err == nil:
		case errors.Is(err, ErrQuit) && s.Opts.StayAfterQuit && !strings.HasPrefix(strings.TrimSpace(line), ":"):
			// The built-in session: the lecture goes on from SMTP to
			// POP3 in the same mailsh.
			s.P.Say("%s", s.reconnectHint())
		case errors.Is(err, ErrQuit):
			return 0
		case errors.Is(err, proto.ErrClosed):
			// The close was announced as it happened; say what next.
			s.P.Say("%s", s.reconnectHint())
		case errors.Is(err, ErrInterrupt):
			s.P.Say("cancelled")
		default:
			s.P.Warn("mailsh: %v", err)
		}
	}
}

// idling reports whether an IMAP IDLE is going on.
func (s *Session) idling() bool {
	return s.Client != nil && !s.Client.Closed() && s.Client.Machine.State().Idles()
}

// inData reports whether the session is taking message text.
func (s *Session) inData() bool {
	return s.Client != nil && !s.Client.Closed() && s.Client.Machine.State().TakesText()
}

// terminate ends the session on SIGTERM: the connection closes without
// waiting on the server, and the exit status says the session did not
// end normally.
func (s *Session) terminate() int {
	if s.Client == nil {
		s.P.Say("terminated (SIGTERM)")
		return 1
	}
	s.Client.Note("terminated (SIGTERM)") // on the screen and in the transcript
	s.Client.Close()
	return 1
}

// reconnectHint says what may follow a closed connection: the aliases
// named after the registry's protocols, the other protocols first.
func (s *Session) reconnectHint() string {
	var names []string
	cur := ""
	if s.Client != nil && s.Client.Machine != nil {
		cur = s.Client.Machine.Protocol().String()
	}
	for _, p := range protocols.All {
		if _, ok := s.Aliases[p.Name]; ok && p.Name != cur {
			names = append(names, ":connect "+p.Name)
		}
	}
	if _, ok := s.Aliases[cur]; ok {
		names = append(names, ":connect "+cur)
	}
	if len(names) == 0 {
		return "not connected: :connect reconnects, Ctrl-D leaves"
	}
	return "not connected: " + strings.Join(names, " or ") + " (:connect alone goes back to the same server), Ctrl-D leaves"
}

// prompt says where the session is: protocol, host, TLS and state, as in
// "smtp localhost [tls] rcpt>"; in DATA mode "data>".
func (s *Session) prompt(colour bool) string {
	if s.Client == nil || s.Client.Machine == nil || s.Client.Closed() {
		return "mailsh (not connected)> "
	}
	snap := s.Client.Machine.Snapshot()
	st := snap.State
	if st.TakesText() {
		return "data> "
	}
	if st.InLiteral() {
		return fmt.Sprintf("literal (%d octets to go)> ", snap.LiteralLeft)
	}
	var b strings.Builder
	b.WriteString(s.Client.Machine.Protocol().String())
	b.WriteString(" ")
	b.WriteString(s.Target.Host)
	if s.Client.TLS() != nil {
		b.WriteString(" [tls]")
	}
	b.WriteString(" ")
	b.WriteString(st.String())
	if snap.Mailbox != "" && !st.Idles() {
		b.WriteString(" " + snap.Mailbox)
	}
	if snap.NextTag != "" && !st.InSASL() && !st.Idles() {
		// The tag the line will go with, unless it starts with its own.
		b.WriteString(" " + snap.NextTag)
	}
	b.WriteString("> ")
	if colour {
		return "\x1b[1m" + b.String() + "\x1b[0m"
	}
	return b.String()
}

// historyWorthy says whether a line may go into the history file: never a
// password, an AUTH blob, a SASL answer, or a line of message text.
func (s *Session) historyWorthy(line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	if s.Client == nil || s.Client.Machine == nil {
		return true
	}
	st := s.Client.Machine.State()
	if st.Verbatim() || st.InSASL() {
		return false
	}
	if strings.HasPrefix(line, ":") {
		return true
	}
	cmd := s.Client.Machine.Classify(line)
	return !cmd.Secret && (cmd.Spec == nil || cmd.Spec.AskSecret == "" || cmd.Arg == "")
}

// editorSecrets asks for secrets at the terminal, without echo.
type editorSecrets struct{ ed LineEditor }

func (e editorSecrets) Secret(prompt string) (string, error) {
	return e.ed.ReadPassword(prompt)
}
