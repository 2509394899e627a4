package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/mailsh/mailsh/internal/builtin"
	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
	"github.com/mailsh/mailsh/shell"
	"github.com/mailsh/mailsh/transcript"
)

const usage = `mailsh — an interactive shell for SMTP, POP3 and IMAP that replaces "telnet host 25"

Usage:
  mailsh                         start the built-in loopback mail server and open
                                 an SMTP session to it (:connect pop3 reaches POP3,
                                 :connect imap IMAP)
  mailsh smtp://HOST[:PORT]      SMTP (port 25); smtps:// implicit TLS (465);
                                 submission:// STARTTLS on 587
  mailsh pop3://HOST[:PORT]      POP3 (port 110); pop3s:// implicit TLS (995)
  mailsh imap://HOST[:PORT]      IMAP (port 143); imaps:// implicit TLS (993)
  mailsh raw://HOST:PORT         raw line mode for any other server (HTTP, LMTP,
                                 ManageSieve): lines out with CRLF, what arrives
                                 shown as it comes; rawtls:// with TLS
  mailsh HOST PORT               like telnet: the protocol is taken from the
                                 greeting ("220" is SMTP, "+OK" POP3, "* OK" IMAP,
                                 anything else raw line mode)
  mailsh serve [flags]           run the loopback SMTP, POP3 and IMAP server
                                 (serve --help)
  mailsh transcript export FILE [--format md|html|json] [-o OUT]
                                 turn a recorded transcript into a report (the
                                 format from OUT's extension if not given)
  mailsh replay FILE [TARGET]    send a transcript's commands again and compare
                                 the replies (replay --help)
  mailsh msg COMMAND FILE        compose, show, mime, save, hops, headers: the
                                 message tools outside a session (msg --help)

Options:
  --starttls          upgrade with STARTTLS (SMTP after EHLO, IMAP) or STLS (POP3) first
  --insecure          do not verify the server's certificate
  --cafile FILE       trust the CA certificates in FILE (PEM) as well
  --timeout D         connect and reply timeout (default 30s)
  -4, -6              use IPv4 or IPv6 only
  --no-color          no colour (also when NO_COLOR is set or stdout is not a terminal)
  --ehlo NAME         the name mailsh gives in EHLO when it sends one itself
  --user NAME         user name for :auth
  --password-file F   read the password for PASS and :auth from F (script mode)
  --allow-plaintext   script mode: allow sending a password without TLS to a remote host
  -e, --errexit       script mode: stop with status 1 at the first 4xx, 5xx, -ERR,
                      or IMAP NO or BAD
  -t, --transcript F  record the session to F (appended if F exists; secrets redacted)
  --no-redact         record passwords and SASL answers in the transcript as sent
  --abbreviate N      record only the first N lines of each message body
  --version           print the version
  -h, --help          this help

When standard input is not a terminal, mailsh runs in script mode: it sends each
line, waits for the whole reply, and prints the exchange with C: and S: prefixes.
In DATA, the lines up to a lone "." are the message, dot-stuffed for you. A
password is taken from --password-file or MAILSH_PASSWORD, never asked for.

Examples:
  mailsh smtp://localhost
  mailsh localhost 110
  mailsh --starttls smtp://mail.example.com:587
  mailsh pop3s://vmc@mail.example.com
  printf 'EHLO me\r\nQUIT\r\n' | mailsh smtp://localhost:2525
  mailsh -e smtp://localhost:2525 < lecture-session.txt

Exit status: 0 when the session ended normally, 1 on an error (or a failure
reply with -e), 2 on a usage error.
`

// options are the command line's settings.
type options struct {
	starttls, insecure, v4, v6, noColor, errexit, allowPlain bool
	version, help, noRedact                                  bool
	cafile, ehlo, user, passwordFile, transcript             string
	abbreviate                                               int
	versionText                                              string
	timeout                                                  time.Duration
	args                                                     []string
}

// sessionFlags declares the session's options on a FlagSet of its own.
func sessionFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("mailsh", flag.ContinueOnError)
	for _, b := range []struct {
		p     *bool
		names []string
	}{
		{&o.starttls, []string{"starttls"}}, {&o.insecure, []string{"insecure"}},
		{&o.v4, []string{"4"}}, {&o.v6, []string{"6"}},
		{&o.noColor, []string{"no-color", "no-colour"}}, {&o.errexit, []string{"errexit", "e"}},
		{&o.allowPlain, []string{"allow-plaintext"}}, {&o.version, []string{"version"}},
		{&o.help, []string{"help", "h"}}, {&o.noRedact, []string{"no-redact"}},
	} {
		for _, n := range b.names {
			fs.BoolVar(b.p, n, false, "")
		}
	}
	for _, s := range []struct {
		p     *string
		names []string
	}{
		{&o.cafile, []string{"cafile"}}, {&o.ehlo, []string{"ehlo"}}, {&o.user, []string{"user"}},
		{&o.passwordFile, []string{"password-file"}}, {&o.transcript, []string{"transcript", "t"}},
	} {
		for _, n := range s.names {
			fs.StringVar(s.p, n, "", "")
		}
	}
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "")
	fs.IntVar(&o.abbreviate, "abbreviate", 0, "")
	return fs
}

// parseArgs reads the session's command line, flags anywhere, so that
// both "mailsh --starttls smtp://h" and "mailsh smtp://h --starttls" work.
func parseArgs(argv []string) (*options, error) {
	o := &options{}
	args, err := parseFlags(sessionFlags(o), argv)
	if err != nil {
		return nil, err
	}
	o.args = args
	switch {
	case o.timeout <= 0:
		return nil, usagef("bad --timeout %s: give a duration such as 10s or 2m", o.timeout)
	case o.abbreviate < 0:
		return nil, usagef("bad --abbreviate %d: give a number of lines", o.abbreviate)
	case o.v4 && o.v6:
		return nil, usagef("-4 and -6 exclude each other")
	}
	return o, nil
}

// runSession is mailsh with a target, or with none: the built-in server
// and a session to it.
func runSession(argv []string, version string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseArgs(argv)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 2
	case o.help:
		fmt.Fprint(stdout, usage)
		return 0
	case o.version:
		fmt.Fprintf(stdout, "mailsh %s\n", version)
		return 0
	}
	o.versionText = version
	target, err := targetFrom(o.args)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if target != nil {
		return connectAndRun(ctx, o, *target, stdin, stdout, stderr, nil)
	}
	b, err := builtin.Start()
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: cannot start the built-in mail server: %v\n", err)
		fmt.Fprintln(stderr, "mailsh: hint: give a target such as smtp://localhost, or run mailsh serve --maildir DIR")
		return 1
	}
	defer b.Stop()
	fmt.Fprintf(stderr, "mailsh: built-in mail server: %s, %s and %s (also %s, %s, %s); mail is kept in %s\n",
		b.SMTP.URL(), b.POP3.URL(), b.IMAP.URL(), b.SMTPS.URL(), b.POP3S.URL(), b.IMAPS.URL(), b.Maildir)
	fmt.Fprintf(stderr, "mailsh: account %s, password %s, address %s; mail to any address at any domain is caught in this mailbox (nothing is relayed)\n",
		b.User, b.Password, b.Address)
	fmt.Fprintln(stderr, "mailsh: :connect pop3 or :connect imap reads the mail, :connect smtp comes back")
	return connectAndRun(ctx, o, b.SMTP, stdin, stdout, stderr, b)
}

// targetFrom reads the positional arguments: none, a URL, or HOST PORT.
func targetFrom(args []string) (*proto.Target, error) {
	switch len(args) {
	case 0:
		return nil, nil
	case 1:
		t, err := protocols.All.ParseTarget(args[0])
		if err != nil {
			return nil, err
		}
		return &t, nil
	case 2:
		port, err := proto.ParsePort(args[1])
		if err != nil {
			return nil, err
		}
		// The protocol comes from the greeting; the well-known ports say
		// it in advance so that TLS flags can apply.
		t := proto.Target{Host: args[0], Port: port}
		return &t, nil
	}
	return nil, usagef("too many arguments: give a URL (smtp://HOST) or HOST PORT")
}

func tlsConfig(o *options) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: o.insecure}
	if o.cafile != "" {
		pem, err := os.ReadFile(o.cafile)
		if err != nil {
			return nil, fmt.Errorf("cannot read --cafile: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cafile %s holds no PEM certificate", o.cafile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// connectAndRun opens a session to t; lb, if not nil, is the built-in
// server behind t.
func connectAndRun(ctx context.Context, o *options, t proto.Target, stdin io.Reader, stdout, stderr io.Writer, lb *builtin.Server) int {
	if o.starttls {
		if t.Proto != nil && t.Proto.Spec().StartTLS == "" {
			fmt.Fprintf(stderr, "mailsh: --starttls means nothing for %s://: use %s:// for TLS from the start\n", t.Proto.Spec().Scheme, t.Proto.Spec().SchemeTLS)
			return 2
		}
		if t.ImplicitTLS {
			fmt.Fprintln(stderr, "mailsh: --starttls makes no sense with implicit TLS (smtps://, pop3s://)")
			return 2
		}
		t.StartTLS = true
	}
	cfg, err := tlsConfig(o)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 1
	}
	interactive := isTerminal(stdin)
	colour := !o.noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(stdout) && interactive
	p := shell.NewPrinter(stdout, colour)
	p.Prefix = !interactive
	p.Echo = true
	p.Explain = interactive
	network := "tcp"
	if o.v4 {
		network = "tcp4"
	} else if o.v6 {
		network = "tcp6"
	}
	s := &shell.Session{
		Target: t,
		P:      p,
		Opts: shell.Options{
			ErrExit: o.errexit, AllowPlaintext: o.allowPlain, User: o.user,
			EHLOName: o.ehlo, Interactive: interactive, Version: o.versionText,
		},
		Secrets: shell.ScriptSecrets{File: o.passwordFile},
	}
	if lb != nil {
		useBuiltin(lb, cfg, s)
	}
	defer s.Close()
	if o.transcript != "" {
		// Recording starts before the connection, so that the greeting
		// and any TLS handshake are in it.
		if err := s.StartTranscript(o.transcript, transcript.Options{NoRedact: o.noRedact, BodyLines: o.abbreviate}); err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 1
		}
	}
	dial := proto.DialOptions{Network: network, Timeout: o.timeout, TLSConfig: cfg, Observe: s.Observe, EHLOName: o.ehlo, KeepSecrets: o.noRedact, Protocols: protocols.All}
	s.Opts.Dial = dial
	if t.User != "" && s.Opts.User == "" {
		s.Opts.User = t.User
	}
	s.Connect = func(ctx context.Context, t proto.Target) (*proto.Client, error) {
		c, _, err := proto.Dial(ctx, t, dial)
		return c, err
	}
	c, _, err := proto.Dial(ctx, t, dial)
	if err != nil {
		// A refusal carries the server's line: escaped, as every line.
		fmt.Fprintf(stderr, "mailsh: %s\n", termsafe.Text(err.Error()))
		return 1
	}
	s.Client = c
	if s.Target.Proto == nil {
		s.Target.Proto = c.Machine.Protocol() // learnt from the greeting
	}
	if interactive {
		return shell.RunInteractive(ctx, s, shell.Interactive{
			In: stdin, Out: stdout, Err: stderr, Colour: colour,
			Plain:       os.Getenv("TERM") == "dumb" || !isTerminal(stdout),
			HistoryFile: shell.HistoryPath(),
		})
	}
	return shell.RunScript(ctx, s, stdin, stderr)
}

func isTerminal(f any) bool {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		return term.IsTerminal(int(fd.Fd()))
	}
	return false
}

// useBuiltin fits a session to the built-in server: its TLS configuration
// also trusts the server's certificate (so STARTTLS works without
// --insecure), ":connect pop3" and friends reach the server's other sides,
// :auth offers the demo user, MAIL and RCPT complete the demo mailbox, and
// the session stays at its prompt after QUIT.
func useBuiltin(b *builtin.Server, cfg *tls.Config, s *shell.Session) {
	if cfg.RootCAs == nil {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		cfg.RootCAs = pool
	}
	cfg.RootCAs.AddCert(b.Cert)
	s.Aliases = map[string]proto.Target{"smtp": b.SMTP, "pop3": b.POP3, "pop": b.POP3, "imap": b.IMAP,
		"smtps": b.SMTPS, "pop3s": b.POP3S, "imaps": b.IMAPS}
	if s.Opts.User == "" {
		s.Opts.User = b.User
	}
	s.Opts.StayAfterQuit = true
	s.Addresses = append(s.Addresses, b.Address)
}
