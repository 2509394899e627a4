package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/imap"
	"github.com/mailsh/mailsh/loopback/pop3"
	"github.com/mailsh/mailsh/loopback/smtp"
)

const serveUsage = `mailsh serve — the loopback mail server: SMTP in, POP3 and IMAP out, over one Maildir

Usage:
  mailsh serve [flags]

It prints where it listens, the demo account and the certificate's fingerprint,
logs each session briefly on stderr, and stops cleanly on Ctrl-C or SIGTERM:
messages being sent are finished (within --stop-grace), idle sessions get 421.

Flags:
  --smtp ADDR           SMTP with STARTTLS (default 127.0.0.1:2525; "off" for none)
  --pop3 ADDR           POP3 with STLS (default 127.0.0.1:1110; "off" for none)
  --smtps ADDR          SMTP with implicit TLS (RFC 8314), such as 127.0.0.1:4465
                        (default off)
  --pop3s ADDR          POP3 with implicit TLS, such as 127.0.0.1:1995 (default off)
  --imap ADDR           IMAP with STARTTLS (default 127.0.0.1:1143; "off" for none)
  --imaps ADDR          IMAP with implicit TLS, such as 127.0.0.1:1993 (default off)
  --maildir DIR         where mail is kept: one Maildir per account, DIR/NAME/{cur,new,tmp},
                        the layout Dovecot's maildir:DIR/%u reads and mutt opens
                        (default $XDG_DATA_HOME/mailsh/Maildir, ~/.local/share/mailsh/Maildir)
  --user NAME:PASSWORD  an account, repeat for more (default: one account "demo" whose
                        password is printed at start-up and kept in the data directory);
                        every local user can read it in the process list (ps): prefer
                        --users-file for a password that matters
  --users-file FILE     accounts, one NAME:PASSWORD a line; blank lines and lines
                        starting with # are skipped; refused if group or others may
                        read or write it (chmod 600 FILE), as ssh does for keys
  --domain NAME         the mail domain served: mail for @NAME is delivered, mail for
                        other domains refused with 550 5.7.1 (default localhost)
  --catch-all NAME      deliver mail for every unknown @NAME address to account NAME,
                        as a mail catcher for application tests
  --cert FILE           TLS certificate (PEM), with --key; default: a self-signed one
  --key FILE            made at start-up and kept in the data directory (tls/), whose
                        SHA-256 fingerprint is printed so that you can check it
  --require-tls         refuse AUTH, USER/PASS and APOP on connections without TLS
                        (otherwise allowed, with a reply saying they were sent in clear)
  --max-size N          largest message in octets, advertised with SIZE; K, M and G
                        suffixes (default 32M)
  --max-recipients N    recipients per message (default 100)
  --max-connections N   connections at once, per listener (default 64)
  --max-client-connections N
                        connections at once from one client address, per listener
                        (default 16); more get 421 4.7.0 or -ERR [SYS/TEMP]
  --max-line-length N   longest line of message text, with CRLF (default 1000, RFC 5321)
  --idle-timeout D      close a client silent for D (default 5m for SMTP, 10m for POP3;
                        IMAP: 30s for a command line, 35m between commands and in IDLE)
  --stress-idle-timeout D
                        the idle timeout while a listener holds 80% of its connections
                        or more, as Postfix's smtpd_timeout under stress (default 10s)
  --line-timeout D      time to send one whole command line, from its first octet,
                        however slowly it trickles in (default 5m)
  --max-session D       longest session, however busy (default 1h)
  --tls-handshake-timeout D
                        longest TLS handshake (default 10s)
  --stop-grace D        on Ctrl-C or SIGTERM, how long messages being sent may take
                        to finish before they are cut off (default 30s)
  --auth-failure-delay D
                        wait before answering a failed login, doubling with each
                        failure from the same address (default 1s)
  --max-auth-failure-delay D
                        the most that wait grows to (default 15s)
  --max-auth-failures N failed logins before a session is closed (default 3)
  --fault SPEC          misbehave on purpose, by rule; repeat to combine (see below)
  -q, --quiet           no session log
  -h, --help            this help

`

// serveOptions are mailsh serve's flags.
type serveOptions struct {
	smtp, pop3, smtps, pop3s  string
	imap, imaps               string
	maildir, domain, catchAll string
	certFile, keyFile         string
	users, faults             listFlag
	requireTLS, quiet, help   bool
	maxSize                   sizeFlag
	maxRcpt, maxConns, maxLen int
	idle                      time.Duration
	// Limits on clients (README: Reliability and security).
	usersFile                             string
	maxClientConns, maxAuthFailures       int
	stressIdle, lineTimeout, maxSession   time.Duration
	tlsHandshake, authDelay, maxAuthDelay time.Duration
	stopGrace                             time.Duration
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// sizeFlag is a size in octets with an optional K, M or G suffix.
type sizeFlag int64

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	mult := int64(1)
	t := strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(v)), "B")
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, strings.TrimSuffix(t, "G")
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return fmt.Errorf("give a size such as 32M or 1048576")
	}
	*s = sizeFlag(n * mult)
	return nil
}

// serveFlags defines the flags on o.
func serveFlags(o *serveOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("mailsh serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.smtp, "smtp", "127.0.0.1:2525", "")
	fs.StringVar(&o.pop3, "pop3", "127.0.0.1:1110", "")
	fs.StringVar(&o.smtps, "smtps", "", "")
	fs.StringVar(&o.pop3s, "pop3s", "", "")
	fs.StringVar(&o.imap, "imap", "127.0.0.1:1143", "")
	fs.StringVar(&o.imaps, "imaps", "", "")
	fs.StringVar(&o.maildir, "maildir", "", "")
	fs.Var(&o.users, "user", "")
	fs.StringVar(&o.domain, "domain", loopback.DefaultDomain, "")
	fs.StringVar(&o.catchAll, "catch-all", "", "")
	fs.StringVar(&o.certFile, "cert", "", "")
	fs.StringVar(&o.keyFile, "key", "", "")
	fs.BoolVar(&o.requireTLS, "require-tls", false, "")
	o.maxSize = loopback.DefaultMaxMessageSize
	fs.Var(&o.maxSize, "max-size", "")
	fs.IntVar(&o.maxRcpt, "max-recipients", loopback.DefaultMaxRecipients, "")
	fs.IntVar(&o.maxConns, "max-connections", loopback.DefaultMaxConnections, "")
	fs.IntVar(&o.maxLen, "max-line-length", loopback.DefaultMaxLineLength, "")
	fs.DurationVar(&o.idle, "idle-timeout", 0, "")
	fs.StringVar(&o.usersFile, "users-file", "", "")
	fs.IntVar(&o.maxClientConns, "max-client-connections", loopback.DefaultMaxClientConnections, "")
	fs.DurationVar(&o.stressIdle, "stress-idle-timeout", loopback.DefaultStressIdle, "")
	fs.DurationVar(&o.lineTimeout, "line-timeout", loopback.DefaultLineTimeout, "")
	fs.DurationVar(&o.maxSession, "max-session", loopback.DefaultMaxSession, "")
	fs.DurationVar(&o.tlsHandshake, "tls-handshake-timeout", loopback.DefaultTLSHandshakeTimeout, "")
	fs.DurationVar(&o.stopGrace, "stop-grace", 30*time.Second, "")
	fs.DurationVar(&o.authDelay, "auth-failure-delay", loopback.DefaultAuthFailureDelay, "")
	fs.DurationVar(&o.maxAuthDelay, "max-auth-failure-delay", loopback.DefaultMaxAuthFailureDelay, "")
	fs.IntVar(&o.maxAuthFailures, "max-auth-failures", loopback.DefaultAuthFailures, "")
	fs.Var(&o.faults, "fault", "")
	fs.BoolVar(&o.quiet, "quiet", false, "")
	fs.BoolVar(&o.quiet, "q", false, "")
	fs.BoolVar(&o.help, "help", false, "")
	fs.BoolVar(&o.help, "h", false, "")
	return fs
}

// runServe runs mailsh serve until SIGINT or SIGTERM. Exit status: 0
// after a clean stop, 1 if the server cannot start, 2 on a usage error.
func runServe(args []string, stdout, stderr io.Writer) int {
	o := &serveOptions{}
	fs := serveFlags(o)
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mailsh serve: "+format+"\n", a...)
		fmt.Fprintln(stderr, "mailsh serve: hint: mailsh serve --help lists the flags")
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			o.help = true
		} else {
			return usageErr("%v", err)
		}
	}
	if o.help {
		fmt.Fprint(stdout, serveUsage+faultHelp)
		return 0
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q: serve takes flags only", fs.Arg(0))
	}
	cfg, info, err := o.config()
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return usageErr("%v", err)
		}
		fmt.Fprintf(stderr, "mailsh serve: %v\n", err)
		return 1
	}
	if !o.quiet {
		cfg.Log = log.New(stderr, "mailsh serve: ", log.Ltime)
	}
	srv, err := loopback.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh serve: %v\n", err)
		return 1
	}
	addrs, err := srv.Start(loopback.Addrs{smtp.Service: off(o.smtp), pop3.Service: off(o.pop3), smtp.ServiceTLS: off(o.smtps), pop3.ServiceTLS: off(o.pop3s)})
	if err != nil {
		fmt.Fprintf(stderr, "mailsh serve: cannot listen: %v\n", err)
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintln(stderr, "mailsh serve: hint: is another mailsh serve running? choose other ports with --smtp and --pop3")
		}
		return 1
	}
	imapSrv := imap.New(srv)
	ia, err := imapSrv.Start(loopback.Addrs{imap.Service: off(o.imap), imap.ServiceTLS: off(o.imaps)})
	if err != nil {
		fmt.Fprintf(stderr, "mailsh serve: cannot listen: %v\n", err)
		srv.Close()
		return 1
	}
	for svc, addr := range ia {
		addrs[svc] = addr
	}
	info.addrs = addrs
	// The signals are caught before the start-up text says Ctrl-C stops:
	// a signal sent as soon as it is read finds its handler.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	info.print(stdout, cfg)
	<-ctx.Done()
	// A second signal, or --stop-grace, cuts short what is still running;
	// a message cut off was never acknowledged and is not delivered. Its
	// handler is in place before the first one's goes and before the
	// line that invites it, so that no second signal finds none.
	grace, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	stop()
	fmt.Fprintln(stderr, "mailsh serve: stopping: finishing messages in transfer (Ctrl-C again stops at once)")
	grace, cancel2 := context.WithTimeout(grace, o.stopGrace)
	defer cancel2()
	imapDone := make(chan error, 1)
	go func() { imapDone <- imapSrv.Shutdown(grace) }()
	err = srv.Shutdown(grace)
	if ierr := <-imapDone; err == nil {
		err = ierr
	}
	if err != nil {
		fmt.Fprintln(stderr, "mailsh serve: stopped; sessions still running were cut off")
		return 0
	}
	fmt.Fprintln(stderr, "mailsh serve: stopped")
	return 0
}

// off turns "off" and "none" into "", which leaves a listener off.
func off(addr string) string {
	switch strings.ToLower(addr) {
	case "off", "none", "no":
		return ""
	}
	return addr
}

// startInfo is what mailsh serve prints at start-up.
type startInfo struct {
	addrs   loopback.Addrs
	maildir string
	demo    *loopback.Account
	cert    *loopback.Cert
}

// config turns the flags into the server's configuration.
func (o *serveOptions) config() (loopback.Config, *startInfo, error) {
	info := &startInfo{}
	var cfg loopback.Config
	faults, err := loopback.ParseFaults(o.faults, faultDialects...)
	if err != nil {
		return cfg, nil, usagef("%v", err)
	}
	var accounts []loopback.Account
	for _, u := range o.users {
		a, err := loopback.ParseAccount(u)
		if err != nil {
			return cfg, nil, usagef("bad --user: %v", err)
		}
		accounts = append(accounts, a)
	}
	if o.usersFile != "" {
		more, err := loopback.ReadUsersFile(o.usersFile)
		if err != nil {
			return cfg, nil, err
		}
		accounts = append(accounts, more...)
	}
	if o.domain == "" || strings.ContainsAny(o.domain, " @<>") {
		return cfg, nil, usagef("bad --domain %q: give a domain name such as localhost or example.com", o.domain)
	}
	if (o.certFile == "") != (o.keyFile == "") {
		return cfg, nil, usagef("give both --cert and --key, or neither")
	}
	if o.maxRcpt < 1 || o.maxConns < 1 || o.maxLen < 80 || o.idle < 0 {
		return cfg, nil, usagef("limits must be positive (--max-line-length at least 80)")
	}
	if o.maxClientConns < 1 || o.maxAuthFailures < 1 || o.stressIdle <= 0 || o.lineTimeout <= 0 ||
		o.maxSession <= 0 || o.tlsHandshake <= 0 || o.authDelay <= 0 || o.maxAuthDelay < o.authDelay || o.stopGrace <= 0 {
		return cfg, nil, usagef("client limits must be positive (--max-auth-failure-delay at least --auth-failure-delay)")
	}
	if off(o.smtp) == "" && off(o.pop3) == "" && off(o.smtps) == "" && off(o.pop3s) == "" && off(o.imap) == "" && off(o.imaps) == "" {
		return cfg, nil, usagef("every listener is off: give --smtp, --pop3 or --imap an address")
	}
	dataDir, derr := loopback.DataDir()
	if len(accounts) == 0 {
		if derr != nil {
			return cfg, nil, derr
		}
		demo := loopback.DemoAccount(dataDir)
		accounts = append(accounts, demo)
		info.demo = &demo
	}
	info.maildir = o.maildir
	if info.maildir == "" {
		if derr != nil {
			return cfg, nil, derr
		}
		info.maildir = filepath.Join(dataDir, "Maildir")
	}
	names := make([]string, len(accounts))
	seen := map[string]bool{}
	for i, a := range accounts {
		names[i] = a.Name
		if seen[strings.ToLower(a.Name)] {
			return cfg, nil, usagef("--user %s is given twice", a.Name)
		}
		seen[strings.ToLower(a.Name)] = true
	}
	if o.catchAll != "" && !seen[strings.ToLower(o.catchAll)] {
		return cfg, nil, usagef("--catch-all %s: no such account (give it with --user %s:PASSWORD)", o.catchAll, o.catchAll)
	}
	store, err := loopback.OpenStore(info.maildir, names)
	if err != nil {
		return cfg, nil, err
	}
	tlsDir := filepath.Join(dataDir, "tls")
	if derr != nil && o.certFile == "" {
		return cfg, nil, derr
	}
	cert, err := loopback.CertFromFlags(o.certFile, o.keyFile, tlsDir, loopback.CertNames(o.domain))
	if err != nil {
		return cfg, nil, err
	}
	info.cert = cert
	cfg = loopback.Config{
		Domain:     o.domain,
		Accounts:   accounts,
		CatchAll:   o.catchAll,
		Store:      store,
		TLS:        cert.ServerConfig(),
		RequireTLS: o.requireTLS,
		Faults:     faults,
		Limits: loopback.Limits{
			MaxMessageSize: int64(o.maxSize),
			MaxRecipients:  o.maxRcpt,
			MaxConnections: o.maxConns,
			MaxLineLength:  o.maxLen,
			Idle:           o.idle,

			MaxClientConnections: o.maxClientConns,
			StressIdle:           o.stressIdle,
			LineTimeout:          o.lineTimeout,
			MaxSession:           o.maxSession,
			TLSHandshakeTimeout:  o.tlsHandshake,
			MaxAuthFailures:      o.maxAuthFailures,
			AuthFailureDelay:     o.authDelay,
			MaxAuthFailureDelay:  o.maxAuthDelay,
		},
	}
	return cfg, info, nil
}

// print says what runs where, so that a student knows what to type.
func (info *startInfo) print(w io.Writer, cfg loopback.Config) {
	var listen []string
	for _, l := range []struct {
		svc     *loopback.Service
		upgrade string // how a client of the clear-text port starts TLS
	}{
		{smtp.Service, "STARTTLS"}, {pop3.Service, "STLS"},
		{smtp.ServiceTLS, ""}, {pop3.ServiceTLS, ""},
		{imap.Service, "STARTTLS"}, {imap.ServiceTLS, ""},
	} {
		addr := info.addrs[l.svc]
		switch {
		case addr == "":
		case l.upgrade != "":
			listen = append(listen, l.svc.Name+"://"+addr+" ("+l.upgrade+")")
		default:
			listen = append(listen, l.svc.Name+"://"+addr)
		}
	}
	fmt.Fprintf(w, "mailsh serve: listening on %s\n", strings.Join(listen, ", "))
	fmt.Fprintf(w, "mailsh serve: mail for @%s is kept in %s (one Maildir per account)\n", cfg.Domain, info.maildir)
	if info.demo != nil {
		fmt.Fprintf(w, "mailsh serve: demo account: user %s, password %s, address %s@%s\n", info.demo.Name, info.demo.Password, info.demo.Name, cfg.Domain)
	} else {
		var names []string
		for _, acc := range cfg.Accounts {
			names = append(names, acc.Name)
		}
		fmt.Fprintf(w, "mailsh serve: accounts: %s\n", strings.Join(names, ", "))
	}
	if cfg.CatchAll != "" {
		fmt.Fprintf(w, "mailsh serve: mail for unknown @%s addresses goes to %s\n", cfg.Domain, cfg.CatchAll)
	}
	kind := "given"
	if info.cert.SelfSigned {
		kind = "self-signed"
	}
	fmt.Fprintf(w, "mailsh serve: TLS certificate (%s, %s), SHA-256 fingerprint:\n", kind, info.cert.CertFile)
	fmt.Fprintf(w, "mailsh serve:   %s\n", info.cert.Fingerprint())
	if !cfg.Faults.Empty() {
		fmt.Fprintf(w, "mailsh serve: fault rules: %s\n", strings.Join(cfg.Faults.Rules(), ", "))
	}
	if smtp.LenientData(cfg.Faults) {
		fmt.Fprintln(w, "mailsh serve: warning: smuggle:lenient: DATA also ends at <LF>.<LF>; this server is open to SMTP smuggling (CVE-2023-51764)")
	}
	if a := info.addrs[smtp.Service]; a != "" {
		fmt.Fprintf(w, "mailsh serve: try: mailsh --cafile %s smtp://%s\n", info.cert.CertFile, a)
	}
	fmt.Fprintln(w, "mailsh serve: Ctrl-C stops")
}

// faultDialects are the served protocols' dialects of the fault rules,
// in the order faultHelp lists their points.
var faultDialects = []*loopback.FaultDialect{smtp.Faults, pop3.Faults, imap.Faults}

// faultHelp documents the --fault SPEC syntax, for mailsh serve --help,
// in every protocol's dialect (faultDialects). Every example in it is
// checked by a test to parse.
const faultHelp = `Fault rules (--fault SPEC, repeatable): make the server misbehave on purpose,
deterministically, by rule. Rules combine: the delays of all rules that match a
command add up, and the first matching rule that replies or drops decides.

  POINT[#N][~PATTERN]:ACTION
    POINT    the moment: connect, ehlo, helo, starttls, auth, mail, rcpt, data,
             bdat, dot (the end of a message: its final "." or BDAT LAST), rset,
             vrfy, expn, help, noop, quit, or any (every reply); for POP3
             pop3.connect, pop3.user, pop3.pass, pop3.apop, pop3.auth, pop3.login
             (after a correct password), pop3.capa, pop3.stls, pop3.stat,
             pop3.list, pop3.retr, pop3.top, pop3.dele, pop3.uidl, pop3.noop,
             pop3.rset, pop3.quit, or pop3.any; for IMAP imap.connect,
             imap.login (LOGIN and AUTHENTICATE, before the password is
             checked), imap.select, imap.examine, imap.list, imap.status,
             imap.create, imap.delete, imap.rename, imap.append, imap.fetch,
             imap.store, imap.search, imap.expunge, imap.copy, imap.move,
             imap.idle, imap.namespace, imap.unselect, or imap.any
    #N       only the Nth time (RCPT counts per message, connect per server,
             the rest per connection)
    ~PATTERN only when the subject matches PATTERN (* any text, ? one character,
             any case): the address for mail and rcpt, the client's IP for
             connect, the user for pop3.user, pop3.pass, pop3.login and
             imap.login, else the command's argument (imap.fetch's message set)
    ACTION   CODE [X.Y.Z] [TEXT]  reply with this 4xx or 5xx code instead
                                  (the enhanced code and text have defaults)
             -ERR [[CODE]] [TEXT] the same for POP3
             NO [[CODE]] [TEXT]   the same for IMAP (BAD [TEXT] too); at
                                  imap.connect, a BYE in place of the greeting
             drop                 close the connection without a reply
             delay=DURATION       wait before the reply, then go on as usual
  greylist[=DURATION]  451 4.7.1 to the first RCPT from each client, sender and
                       recipient; a retry (made DURATION later) passes
  maxconn=N            at most N connections at once per listener; more get 421
                       (POP3: -ERR [SYS/TEMP])
  ext=KEYWORD          keep advertising KEYWORD but refuse to use it: STARTTLS and
                       AUTH get 454, CHUNKING (BDAT) 502, SIZE=, BODY=8BITMIME and
                       SMTPUTF8 on MAIL 555
  pop3.ext=KEYWORD     the same for POP3's STLS, TOP, UIDL, USER or SASL
  pop3.busy[~USER]     logins get -ERR [IN-USE], as if another session held the
                       mailbox
  smuggle:lenient      UNSAFE, for showing SMTP smuggling (CVE-2023-51764): read
                       DATA as vulnerable servers do, a bare LF ending a line and
                       <LF>.<LF> the message, and store bare CRs and LFs; without
                       it DATA ends only at <CRLF>.<CRLF> and a message with a
                       bare CR or LF is refused with 550 5.5.2

Examples, one per rule:
  --fault connect:554                    refuse every session, as in the lecture
  --fault connect#1:421                  refuse only the first connection
  --fault mail:451                       451 4.3.0 to every MAIL FROM
  --fault 'rcpt#3:452'                   452 4.5.3 to the 3rd RCPT of each message
  --fault 'rcpt~*@spam.example:550'      550 5.1.1 for recipients at spam.example
  --fault data:450                       450 4.2.1 to DATA
  --fault dot:451                        451 after the final ".": not delivered
  --fault dot:drop                       close after the final ".", before the reply
  --fault 'mail:550 5.7.1 Go away'       a reply of your own
  --fault any:delay=3s                   wait 3 seconds before every reply
  --fault greylist                       greylisting: 451 first, accept the retry
  --fault greylist=1m                    ... only if the retry comes a minute later
  --fault maxconn=1                      one connection at a time; the next gets 421
  --fault ext=STARTTLS                   advertise STARTTLS, answer it with 454
  --fault pop3.retr:-ERR                 -ERR to every RETR
  --fault 'pop3.retr#2:drop'             close the connection at the 2nd RETR
  --fault pop3.busy                      every POP3 login finds the mailbox busy
  --fault pop3.any:delay=2s              wait 2 seconds before every POP3 reply
  --fault 'imap.fetch#2:drop'            close the connection at the 2nd FETCH
  --fault imap.login:NO                  every IMAP login is refused
  --fault 'imap.append:NO [OVERQUOTA] Mailbox full'  refuse every APPEND
  --fault smuggle:lenient                DATA ends at <LF>.<LF> too: open to smuggling
`
