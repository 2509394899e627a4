package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/transcript"
)

// Options configure a session.
type Options struct {
	// ErrExit stops at the first 4xx, 5xx or -ERR reply (script mode's -e).
	ErrExit bool
	// AllowPlaintext lets script mode send a password in clear text to a
	// host that is not this machine (after a warning).
	AllowPlaintext bool
	// User is the default user name for :auth.
	User string
	// Dial says how :connect and :abort reconnect.
	Dial proto.DialOptions
	// EHLOName is the name for EHLO when mailsh sends one itself.
	EHLOName string
	// Confirm asks a yes/no question at a terminal; nil in script mode.
	Confirm func(question string) bool
	// AskUser asks for a user name at a terminal; nil in script mode.
	AskUser func(prompt string) (string, error)
	// Interactive is true at a terminal, where the line the user typed is
	// already on the screen and is not echoed again.
	Interactive bool
	// Version is mailsh's version, for transcript headers.
	Version string
	// StayAfterQuit keeps an interactive session at its prompt when the
	// server closes after QUIT, so that :connect can go on (the built-in
	// session, where the lecture moves from SMTP to POP3).
	StayAfterQuit bool
}

// Session is one conversation with a server as the shell drives it.
type Session struct {
	Client  *proto.Client
	Target  proto.Target
	P       *Printer
	Opts    Options
	Secrets Secrets

	// Failed is the first failure reply seen.
	Failed *proto.Reply

	obs observers
	// answers keeps back SASL answers written after an AUTH the server
	// refused (script mode, or a paste at a terminal).
	answers leftoverAnswers
	capture capture
	rec     *transcript.Recorder
	// ProgressTo, if set, receives progress bars for large transfers.
	ProgressTo io.Writer
	// Addresses are known mailboxes for completion in MAIL and RCPT (the
	// built-in server's accounts).
	Addresses []string
	// Aliases name targets for :connect, such as "pop3" for the built-in
	// server's POP3 side.
	Aliases map[string]proto.Target
	// Connect opens a new session for :connect (and to reconnect after
	// :abort); it is set by whoever built the session.
	Connect func(ctx context.Context, t proto.Target) (*proto.Client, error)
}

// Errors that end a session's loop.
var (
	// ErrQuit: the session ended normally (QUIT answered, or :quit).
	ErrQuit = errors.New("session over")
	// ErrStop: --errexit stopped at a failure reply.
	ErrStop = errors.New("stopped at a failure reply")
)

// Handle runs one line of input: a protocol line, a line of message text
// in DATA, or a ":" meta-command.
func (s *Session) Handle(ctx context.Context, line string) error {
	if s.Client == nil || s.Client.Closed() {
		if strings.HasPrefix(line, ":") {
			return s.meta(ctx, line)
		}
		return errors.New("not connected: use :connect TARGET or :quit")
	}
	st := s.Client.Machine.State()
	if st.TakesText() {
		if strings.TrimSpace(line) == ":abort" {
			return s.abortData(ctx)
		}
		if isRawSend(line) {
			return s.meta(ctx, line)
		}
		if line == "." {
			s.typed(line) // the end of the message goes as it is
		} else {
			s.typed(proto.StuffLine(line))
		}
		_, rep, err := s.Client.Command(line)
		return s.after(rep, err)
	}
	if strings.HasPrefix(line, ":") {
		return s.meta(ctx, line)
	}
	if !st.InSASL() && !st.InLiteral() && !s.Client.Machine.Protocol().Spec().Unframed {
		// Trailing blanks (left by completion, say) make some servers
		// reject a command ("RETR 1 ": noise after message number).
		line = strings.TrimRight(line, " \t")
		if line == "" {
			return nil // a blank line would only draw a syntax error
		}
	}
	cmd := s.Client.Machine.Classify(line)
	// RFC 1939 §7: PASS typed alone, as in the lecture, asks for the
	// password without echo rather than sending an empty one; so does
	// IMAP's LOGIN typed with the user name alone.
	if sp := cmd.Spec; sp != nil && sp.AskSecret != "" && cmd.Valid && len(strings.Fields(cmd.Arg)) == sp.SecretAfter {
		pw, err := s.Secrets.Secret(sp.AskSecret)
		if err != nil {
			return err
		}
		if sp.SecretForm != nil {
			pw = sp.SecretForm(pw)
		}
		line = strings.TrimRight(line, " ") + " " + pw
		cmd = s.Client.Machine.Classify(line)
	}
	if cmd.Secret {
		if err := s.checkCleartext(cmd.Verb); err != nil {
			return err
		}
	}
	s.typed(cmd.Shown)
	_, rep, err := s.Client.Command(line)
	return s.after(rep, err)
}

// typed tells the printer not to echo a line the user typed at a terminal:
// it is on the screen already. Lines mailsh sends on its own are shown.
func (s *Session) typed(shown string) {
	if s.Opts.Interactive {
		s.P.skipEcho(shown)
	}
}

// after looks at a reply: it explains failures and applies --errexit and
// the end of the session.
func (s *Session) after(rep *proto.Reply, err error) error {
	if err != nil {
		return err
	}
	if rep == nil {
		return nil
	}
	if rep.Class().Failed() {
		if s.Failed == nil {
			s.Failed = rep
		}
		if s.Opts.ErrExit {
			return ErrStop
		}
	}
	if s.Client.Machine.State() == proto.StateClosed {
		s.waitClose()
		if s.Client.Machine.Snapshot().QuitAccepted {
			return ErrQuit
		}
		return proto.ErrClosed
	}
	return nil
}

// waitClose waits, for a while, for the server to close the connection
// after QUIT or 421, then closes it.
func (s *Session) waitClose() {
	select {
	case <-s.Client.Done():
	case <-time.After(s.Client.Timeout):
		s.Client.Close()
	}
}

// checkCleartext warns before a secret crosses a network unencrypted: the
// lecture's "Password em clear text!!". On loopback or under TLS it is
// silent. At a terminal it asks; in script mode it needs --allow-plaintext.
func (s *Session) checkCleartext(what string) error {
	if s.Client.TLS() != nil || s.Target.IsLoopback() {
		return nil
	}
	s.P.Warn("Password em clear text!! %s would send your credentials unencrypted to %s (no TLS); anyone on the path can read them.", what, s.Target.Host)
	if s.Opts.Confirm != nil {
		if s.Opts.Confirm("send anyway? [y/N] ") {
			return nil
		}
		return errors.New("not sent (use :starttls first)")
	}
	if s.Opts.AllowPlaintext {
		return nil
	}
	return errors.New("refusing to send a password in clear text in script mode: use TLS (--starttls, smtps://, pop3s://) or --allow-plaintext")
}

// abortData abandons a message in DATA. SMTP has no command for that
// (RFC 5321 §4.1.1.4: only the "." line ends the text, and it submits
// it), so mailsh closes the connection, which makes the server discard the
// unfinished message, and connects again.
func (s *Session) abortData(ctx context.Context) error {
	s.P.Say("abandoning the message: closing the connection (the server discards a message without its final \".\")")
	s.Client.Close()
	if s.Connect == nil {
		return ErrQuit
	}
	c, err := s.Connect(ctx, s.Target)
	if err != nil {
		return fmt.Errorf("reconnecting: %w", err)
	}
	s.Client = c
	s.P.Say("reconnected; the transaction is gone: start again with EHLO")
	return nil
}

// Quit ends the session politely: QUIT, then wait for the server to close.
func (s *Session) Quit() {
	if s.Client == nil || s.Client.Closed() {
		return
	}
	if s.Client.Machine.Protocol().Spec().Unframed {
		// Raw line mode has no QUIT: let what is still coming arrive.
		s.Client.WaitQuiet(time.Second)
		s.Client.Close()
		return
	}
	switch st := s.Client.Machine.State(); {
	case st.Verbatim():
		// QUIT here would be message text (or a literal's octets);
		// abandon the message instead.
		s.Client.Close()
		return
	case st.Idles():
		// RFC 2177: DONE ends IDLE; LOGOUT may follow.
		if _, _, err := s.Client.Command(s.Client.Machine.Protocol().Spec().IdleEnd); err != nil {
			s.Client.Close()
			return
		}
	case st.InSASL():
		// QUIT here would be a SASL answer: cancel the exchange first
		// (RFC 4954 §4, RFC 5034 §4).
		if _, _, err := s.Client.Command("*"); err != nil {
			s.Client.Close()
			return
		}
	}
	if _, rep, err := s.Client.Command(s.Client.Machine.Protocol().Spec().Quit); err == nil && rep != nil {
		s.waitClose()
		return
	}
	s.Client.Close()
}
