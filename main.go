// Command mailsh is an interactive shell for SMTP and POP3 that replaces
// "telnet host 25": it completes the commands valid in the current state,
// colours and explains replies, handles dot-stuffing, SASL and TLS, records
// transcripts, and ships a loopback mail server so that it works offline.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/shell"
	"github.com/mailsh/mailsh/transcript"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) > 0 {
		if sub, ok := subcommands[argv[0]]; ok {
			return sub(argv[1:], stdin, stdout, stderr)
		}
	}
	o, err := parseArgs(argv)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 2
	}
	switch {
	case o.help:
		fmt.Fprint(stdout, usage)
		return 0
	case o.version:
		fmt.Fprintf(stdout, "mailsh %s\n", version)
		return 0
	}
	target, err := targetFrom(o.args)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 2
	}
	if target == nil {
		return runEmbedded(o, stdin, stdout, stderr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	return connectAndRun(ctx, o, *target, stdin, stdout, stderr, nil)
}

// targetFrom reads the positional arguments: none, a URL, or HOST PORT.
func targetFrom(args []string) (*proto.Target, error) {
	switch len(args) {
	case 0:
		return nil, nil
	case 1:
		t, err := proto.ParseTarget(args[0])
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
func connectAndRun(ctx context.Context, o *options, t proto.Target, stdin io.Reader, stdout, stderr io.Writer, lb *loopbackSession) int {
	if o.starttls {
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
			EHLOName: o.ehlo, Interactive: interactive,
		},
		Secrets: shell.ScriptSecrets{File: o.passwordFile},
	}
	lb.apply(cfg, s)
	defer s.Close()
	shell.Version = version
	if o.transcript != "" {
		// Recording starts before the connection, so that the greeting
		// and any TLS handshake are in it.
		if err := s.StartTranscript(o.transcript, transcript.Options{NoRedact: o.noRedact, BodyLines: o.abbreviate}); err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 1
		}
	}
	dial := proto.DialOptions{Network: network, Timeout: o.timeout, TLSConfig: cfg, Observe: s.Observe, EHLOName: o.ehlo, KeepSecrets: o.noRedact}
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
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 1
	}
	s.C = c
	if s.Target.Proto == 0 {
		s.Target.Proto = c.M.Protocol() // learnt from the greeting
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
