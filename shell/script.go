package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/proto"
)

// maxInputLine caps a line read from standard input in script mode.
const maxInputLine = 1 << 20

// RunScript reads protocol lines from in, as when standard input is not a
// terminal: each line is sent with CRLF and its whole reply awaited before
// the next is read; the lines of a message after DATA, which have no
// reply, stream to the server (see scriptText). It returns the exit
// status: 0 when the session ends normally, 1 on an error or (with
// --errexit) a failure reply.
func RunScript(ctx context.Context, s *Session, in io.Reader, errw io.Writer) int {
	answers := &s.answers
	// Message text goes a chunk at a time (see scriptText).
	text := &scriptText{s: s}
	// step runs one line the normal way; stop says the run is over, with
	// its exit status.
	step := func(line string) (code int, stop bool) {
		if answers.drop(s, line) {
			return 0, false
		}
		answers.report(s)
		inAuth := answers.exchange(s, line)
		err := s.Handle(ctx, line)
		answers.after(s, inAuth)
		if err != nil {
			return scriptFailed(s, err, errw), true
		}
		text.on = text.ready()
		return 0, false
	}
	// drain sends the message text taken so far, before anything else
	// happens: another line, the end of the input, a read that may wait.
	drain := func() (code int, stop bool) {
		text.flush()
		if err := text.err; err != nil {
			text.err = nil
			return scriptFailed(s, err, errw), true
		}
		for _, line := range text.heldLines() {
			if code, stop := step(line); stop {
				return code, true
			}
		}
		return 0, false
	}
	// Whatever waits goes out before mailsh waits for more input: a person
	// or program reading the output sees each line as soon as nothing
	// more is coming, and the server gets the text typed so far.
	var end struct {
		code int
		stop bool
	}
	before := func() error {
		if end.code, end.stop = drain(); end.stop {
			return errScriptOver
		}
		s.P.Flush()
		return nil
	}
	sc := bufio.NewScanner(beforeRead{in, before})
	sc.Buffer(make([]byte, 64<<10), maxInputLine)
	// Lines of message text are printed a buffer at a time; whatever is
	// left goes out before mailsh returns.
	defer s.P.Flush()
	defer answers.report(s)
	text.on = text.ready()
	for sc.Scan() {
		if end.stop {
			// The scanner gives what it had of a last line after the
			// read that before failed.
			return end.code
		}
		if text.take(sc.Bytes()) {
			continue
		}
		if code, stop := drain(); stop {
			return code
		}
		if code, stop := step(strings.TrimSuffix(sc.Text(), "\r")); stop {
			return code
		}
	}
	if end.stop {
		return end.code
	}
	if code, stop := drain(); stop {
		return code
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(errw, "mailsh: reading standard input: %v\n", err)
		s.Quit()
		return 1
	}
	if s.Client == nil || s.Client.Closed() {
		if s.Client != nil && (s.Client.Machine.Snapshot().QuitAccepted || s.Client.Machine.Protocol().Spec().Unframed) {
			// A raw session ends when either side is done (an HTTP
			// server closes after its response).
			return 0
		}
		if !closedByServer(s, errw) {
			fmt.Fprintln(errw, "mailsh: the connection was closed by the server")
		}
		return 1
	}
	if s.Client.Machine.State().TakesText() {
		fmt.Fprintln(errw, "mailsh: input ended in the middle of a message (no \".\" line); the message was not sent")
		s.Client.Close()
		return 1
	}
	// The input ended without QUIT: end the session politely.
	s.Quit()
	return 0
}

// errScriptOver stops the reading of a script whose run is over.
var errScriptOver = errors.New("the script's run is over")

// scriptFailed ends a script's run on an error from a line, and returns
// its exit status.
func scriptFailed(s *Session, err error, errw io.Writer) int {
	switch {
	case errors.Is(err, ErrQuit):
		return 0
	case errors.Is(err, ErrStop):
		fmt.Fprintf(errw, "mailsh: stopped at %s (--errexit)\n", termsafe.Quote(s.Failed.Lines[0]))
		hint(errw, s.Failed)
		s.Quit()
		return 1
	case closedByServer(s, errw):
		return 1
	}
	// Anything else (a lost connection, a missing password, a bad
	// meta-command) leaves the script's later lines meaningless.
	fmt.Fprintf(errw, "mailsh: %s\n", termsafe.Text(err.Error()))
	s.Quit()
	return 1
}

// closedByServer reports, with the reply and what it means, that the
// server ended the session with a 421 or a 221 nobody asked for (the
// transcript has noted the close already).
func closedByServer(s *Session, errw io.Writer) bool {
	if s.Client == nil || !s.Client.Closed() {
		return false
	}
	by := s.Client.Machine.Snapshot().ClosedBy
	if by == nil || len(by.Lines) == 0 {
		return false
	}
	fmt.Fprintf(errw, "mailsh: the server ended the session with %s\n", termsafe.Quote(by.Lines[0]))
	hint(errw, by)
	return true
}

// hint says what a reply that ended a script means, as the shell does at
// a terminal.
func hint(errw io.Writer, r *proto.Reply) {
	if e := proto.Explain(r); e != "" {
		fmt.Fprintf(errw, "mailsh: hint: %s\n", Printable(r.Label()+": "+e, false))
	}
}

// leftoverAnswers keeps a script's SASL answers secret when the server did
// not ask for them. A script writes its answers after its AUTH line before
// it knows the reply; if the server refuses the AUTH (538, 503, -ERR) or
// ends the exchange early (535 after the user name), those lines would
// otherwise go out as commands, in clear, into the transcript. The rule:
// once an AUTH exchange is over, the lines that follow it and look like
// SASL answers (see isSASLAnswer) are not sent, shown or recorded; the
// first line that does not ends the run.
type leftoverAnswers struct {
	// skipping is read by the line editor's painter too, to mask such a
	// line while it is typed or pasted.
	skipping atomic.Bool
	dropped  int
}

// exchange reports whether line belongs to a SASL exchange: an AUTH with a
// mechanism, or an answer while the server waits for one.
func (a *leftoverAnswers) exchange(s *Session, line string) bool {
	if s.Client == nil || s.Client.Closed() || s.Client.Machine == nil || strings.HasPrefix(line, ":") {
		return false
	}
	switch st := s.Client.Machine.State(); {
	case st.InSASL():
		return true
	case st.TakesText():
		return false
	}
	cmd := s.Client.Machine.Classify(line)
	return cmd.Spec != nil && cmd.Spec.TakesMechanism() && strings.TrimSpace(cmd.Arg) != ""
}

// after starts skipping answers once the exchange that line was part of
// is over, whatever the server's verdict.
func (a *leftoverAnswers) after(s *Session, inAuth bool) {
	if !inAuth || s.Client == nil || s.Client.Machine == nil {
		return
	}
	if !s.Client.Machine.State().InSASL() {
		// The exchange is over; had the server asked for an answer, the
		// next line would be one.
		a.skipping.Store(true)
	}
}

// drop reports whether line is a leftover answer to be kept back.
func (a *leftoverAnswers) drop(s *Session, line string) bool {
	if !a.skipping.Load() {
		return false
	}
	var table proto.Table
	if s.Client != nil && s.Client.Machine != nil {
		table = proto.TableFor(s.Client.Machine.Protocol())
	}
	if !isSASLAnswer(table, line) {
		a.skipping.Store(false)
		return false
	}
	if strings.TrimSpace(line) != "" {
		a.dropped++
	}
	return true
}

// report says, without showing them, how many lines were kept back.
func (a *leftoverAnswers) report(s *Session) {
	if a.dropped == 0 {
		return
	}
	what := "line"
	if a.dropped > 1 {
		what = "lines"
	}
	s.P.Say("%d %s after the AUTH exchange not sent: taken as SASL answers the server did not ask for", a.dropped, what)
	a.dropped = 0
}

// isSASLAnswer reports whether a script line reads as a SASL answer rather
// than a command: blank, "=" or "*" (RFC 4954 §4, RFC 5034 §4), or one
// word of base64 (RFC 4648 §4) that is not a command of the protocol
// ("QUIT", "RSET" and "DATA" are base64 too, and are taken as commands).
func isSASLAnswer(table proto.Table, line string) bool {
	line = strings.TrimSpace(line)
	if line == "" || line == "*" || line == "=" {
		return true
	}
	if strings.HasPrefix(line, ":") || table.Lookup(line) != nil {
		return false
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// beforeRead calls before ahead of each read of its reader, which may
// block, and fails the read if before fails.
type beforeRead struct {
	r      io.Reader
	before func() error
}

func (b beforeRead) Read(p []byte) (int, error) {
	if err := b.before(); err != nil {
		return 0, err
	}
	return b.r.Read(p)
}
