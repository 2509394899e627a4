package shell

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
	"github.com/mailsh/mailsh/transcript"
)

// metaCommand is one of the shell's own ":" commands. The table drives
// dispatch, :help and completion.
type metaCommand struct {
	Name string
	Args string
	Help string
	// ArgKind says what the completer offers for the first argument.
	ArgKind string // "", "file", "mech", "meta", "target", "transcript", "mailbox-file"
	// Subs are the words the first argument may be (:transcript start,
	// :raw send), offered by the completer.
	Subs []string
	// RawArgs passes the words as typed, quotes and all (for :b64 TEXT).
	RawArgs bool
	// Verbatim passes the rest of the line as typed, blanks and
	// backslashes included, as the only argument (for :raw send TEXT).
	Verbatim bool
	Run      func(s *Session, ctx context.Context, args []string) error
}

// metaCommands is the table of meta-commands, sorted by name: the core
// ones here, the message tools and :transcript from their own files. It
// is built when asked for, so that the table and the commands that read
// it (:help) need no package state filled at start-up.
func metaCommands() []*metaCommand {
	all := append(append([]*metaCommand{
		{Name: "help", Args: "[command]", ArgKind: "meta", Help: "list the commands valid now, or explain one (a protocol or : command)", Run: (*Session).metaHelp},
		{Name: "quit", Help: "send QUIT and leave", Run: func(s *Session, _ context.Context, _ []string) error {
			s.Quit()
			return ErrQuit
		}},
		{Name: "connect", Args: "[TARGET]", ArgKind: "target", Help: "close this session and connect to TARGET (smtp://host, pop3://host:port, …); alone: the same server again", Run: (*Session).metaConnect},
		{Name: "state", Help: "show the protocol state, TLS, and what the server advertised", Run: (*Session).metaState},
		{Name: "starttls", Help: "upgrade to TLS now with the protocol's command for it (STARTTLS, STLS), after a greeting command if it needs one", Run: (*Session).metaStartTLS},
		{Name: "tls", Help: "show the TLS connection: protocol, cipher, certificate chain, expiry, fingerprint", Run: (*Session).metaTLS},
		{Name: "auth", Args: "[MECH] [USER]", ArgKind: "mech", Help: "log in: asks for the password without echo and computes PLAIN, LOGIN, CRAM-MD5, XOAUTH2, USER/PASS or APOP", Run: (*Session).metaAuth},
		{Name: "b64", Args: "TEXT | -f FILE", ArgKind: "file", RawArgs: true, Help: "base64-encode text or a file", Run: (*Session).metaB64},
		{Name: "unb64", Args: "TEXT | -f FILE", ArgKind: "file", RawArgs: true, Help: "decode base64 (shows \\0 for NUL, as in AUTH PLAIN)", Run: (*Session).metaUnB64},
		{Name: "append", Args: "MAILBOX FILE [FLAG…]", ArgKind: "mailbox-file", Help: "add FILE to MAILBOX with APPEND, where the protocol has it, sent as a literal (streamed, line endings made CRLF)", Run: (*Session).metaAppend},
		{Name: "data", Args: "FILE [--bdat [--chunk SIZE]]", ArgKind: "file", Help: "send FILE as the message (DATA, dot-stuffed and streamed; or BDAT chunks with --bdat)", Run: (*Session).metaData},
		{Name: "explain", Args: "CODE", RawArgs: true, Help: "what a reply code means: 550, 5.1.1, -ERR, IN-USE, NO, TRYCREATE", Run: (*Session).metaExplain},
		{Name: "raw", Args: "[on|off] | send TEXT", Subs: []string{"on", "off", "send"}, Verbatim: true, Help: "show CR LF and non-printing bytes; send TEXT's bytes exactly (\\r \\n \\t \\\\ \\xNN, no CRLF added; also in DATA)", Run: (*Session).metaRaw},
		{Name: "abort", Help: "in DATA: abandon the message (closes the connection and reconnects)", Run: func(s *Session, ctx context.Context, _ []string) error {
			if s.Client == nil || !s.Client.Machine.State().TakesText() {
				return errors.New(":abort works in DATA mode; to abandon a transaction before DATA, send RSET")
			}
			return s.abortData(ctx)
		}},
	}, messageMetaCommands()...), transcriptMetaCommand())
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

func lookupMeta(name string) *metaCommand {
	name = strings.ToLower(strings.TrimPrefix(name, ":"))
	for _, m := range metaCommands() {
		if m.Name == name {
			return m
		}
	}
	return nil
}

func (s *Session) meta(ctx context.Context, line string) error {
	name, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	m := lookupMeta(name)
	if m == nil {
		return fmt.Errorf("unknown command %s (:help lists them)", name)
	}
	args := strings.Fields(rest)
	if m.Verbatim {
		args = []string{strings.TrimLeft(rest, " \t")}
	} else if !m.RawArgs {
		var err error
		if args, err = splitArgs(rest); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return m.Run(s, ctx, args)
}

// splitArgs splits a meta-command's arguments as a shell does, honouring
// quotes and backslashes, so that a subject or a file name may hold blanks
// (:save 2 "Protocolos SMTP_POP3.ppt").
func splitArgs(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, inWord = c, true
		case c == '\\' && quote != '\'' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case quote == 0 && (c == ' ' || c == '\t'):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

func (s *Session) metaHelp(_ context.Context, args []string) error {
	if len(args) > 0 {
		return s.helpOn(args[0])
	}
	if s.Client != nil && s.Client.Machine != nil {
		snap := s.Client.Machine.Snapshot()
		s.P.Plain("%s commands valid now (%s: %s):\n", strings.ToUpper(snap.Proto.String()), snap.State, snap.State.Describe())
		for _, c := range snap.Commands() {
			s.P.Plain("  %-9s %-34s %s\n", c.Name, c.Syntax, c.Help)
		}
	}
	s.P.Plain("mailsh commands:\n")
	for _, m := range metaCommands() {
		s.P.Plain("  %-9s %-34s %s\n", ":"+m.Name, m.Args, m.Help)
	}
	return nil
}

func (s *Session) helpOn(name string) error {
	if m := lookupMeta(name); m != nil && (strings.HasPrefix(name, ":") || s.Client == nil) {
		s.P.Plain(":%s %s\n  %s\n", m.Name, m.Args, m.Help)
		return nil
	}
	var c *proto.Command
	what := "protocol"
	if s.Client != nil && s.Client.Machine != nil {
		p := s.Client.Machine.Protocol()
		c, what = proto.TableFor(p).Lookup(name), p.String()
	}
	if c == nil {
		if m := lookupMeta(name); m != nil {
			s.P.Plain(":%s %s\n  %s\n", m.Name, m.Args, m.Help)
			return nil
		}
		return fmt.Errorf("no %s command %q", what, name)
	}
	var st []string
	for _, x := range c.States {
		st = append(st, x.String())
	}
	s.P.Plain("%s %s\n  %s\n  valid in: %s\n", c.Name, c.Syntax, c.Help, strings.Join(st, ", "))
	if c.Ext != "" {
		s.P.Plain("  needs the server to advertise %s\n", c.Ext)
	}
	s.P.Plain("  defined in %s\n", c.RFC)
	return nil
}

func (s *Session) metaConnect(ctx context.Context, args []string) error {
	var t proto.Target
	switch {
	case len(args) == 0 && s.Target.Host != "":
		t = s.Target // again to the same server: after a 421, a QUIT
	case len(args) == 1:
		var err error
		if t, err = s.resolveTarget(args[0]); err != nil {
			return err
		}
	default:
		return errors.New("usage: :connect [TARGET] (smtp://host[:port], pop3://host[:port], smtps://…, pop3s://…; alone: the same server again)")
	}
	if s.Connect == nil {
		return errors.New(":connect is not available here")
	}
	if s.Client != nil && !s.Client.Closed() {
		s.Quit()
	}
	if s.rec != nil {
		// The new session's header comes before its greeting.
		s.rec.NewSession(transcript.Header{Version: s.Opts.Version, Target: t.URL(), Started: time.Now()})
	}
	c, err := s.Connect(ctx, t)
	if err != nil {
		return err
	}
	if t.Proto == nil {
		t.Proto = c.Machine.Protocol()
	}
	s.Client, s.Target = c, t
	return nil
}

// resolveTarget reads a :connect argument. "smtp" and "pop3" alone mean
// the same host as now with that protocol's default, or, for the built-in
// server, its other side.
func (s *Session) resolveTarget(arg string) (proto.Target, error) {
	if alias, ok := s.Aliases[strings.ToLower(arg)]; ok {
		return alias, nil
	}
	if !strings.Contains(arg, "://") {
		arg = strings.ToLower(arg) + "://" + s.Target.Host
		if h := s.Target.Host; strings.Contains(h, ":") {
			arg = strings.ToLower(strings.SplitN(arg, "://", 2)[0]) + "://[" + h + "]"
		}
	}
	return protocols.All.ParseTarget(arg)
}

func (s *Session) metaState(_ context.Context, _ []string) error {
	if s.Client == nil || s.Client.Machine == nil {
		s.P.Plain("not connected\n")
		return nil
	}
	snap := s.Client.Machine.Snapshot()
	s.P.Plain("target:   %s\n", s.Target.URL())
	s.P.Plain("state:    %s — %s\n", snap.State, snap.State.Describe())
	tls := "no (clear text)"
	if st := s.Client.TLS(); st != nil {
		tls = "yes, " + proto.DescribeTLS(st)
	}
	s.P.Plain("TLS:      %s\n", tls)
	s.P.Plain("logged in: %v\n", snap.Authenticated)
	if report := snap.Proto.Spec().Report; report != nil {
		for _, l := range report(snap) {
			s.P.Plain("%s\n", l)
		}
	}
	return nil
}

func (s *Session) metaStartTLS(_ context.Context, _ []string) error {
	if s.Client == nil {
		return errors.New("not connected")
	}
	return s.Client.StartTLS(s.Opts.EHLOName)
}

func (s *Session) metaExplain(_ context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: :explain CODE (550, 5.1.1, \"550 5.1.1\", -ERR, IN-USE, TRYCREATE)")
	}
	out, err := protocols.All.ExplainCode(strings.Join(args, " "))
	if err != nil {
		return err
	}
	s.P.Plain("%s\n", out)
	return nil
}

func (s *Session) metaRaw(_ context.Context, args []string) error {
	sub, text, _ := strings.Cut(strings.Join(args, " "), " ")
	if strings.EqualFold(sub, "send") {
		return s.rawSend(text)
	}
	on := !s.P.Raw
	if sub != "" {
		switch strings.ToLower(sub) {
		case "on":
			on = true
		case "off":
			on = false
		default:
			return errors.New("usage: :raw [on|off], or :raw send TEXT")
		}
	}
	s.P.mu.Lock()
	s.P.Raw = on
	s.P.mu.Unlock()
	s.P.Say("raw display %s", map[bool]string{true: "on: line endings shown as \\r\\n, control bytes as \\xNN", false: "off"}[on])
	return nil
}
