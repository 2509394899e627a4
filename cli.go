package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

const usage = `mailsh — an interactive shell for SMTP and POP3 that replaces "telnet host 25"

Usage:
  mailsh                         start the built-in loopback mail server and open
                                 an SMTP session to it (:connect pop3 reaches POP3)
  mailsh smtp://HOST[:PORT]      SMTP (port 25); smtps:// implicit TLS (465);
                                 submission:// STARTTLS on 587
  mailsh pop3://HOST[:PORT]      POP3 (port 110); pop3s:// implicit TLS (995)
  mailsh HOST PORT               like telnet: the protocol is taken from the
                                 greeting ("220" is SMTP, "+OK" is POP3)
  mailsh serve [flags]           run the loopback SMTP + POP3 server (serve --help)
  mailsh transcript export FILE [--format md|html|json] [-o OUT]
                                 turn a recorded transcript into a report (the
                                 format from OUT's extension if not given)
  mailsh replay FILE [TARGET]    send a transcript's commands again and compare
                                 the replies (replay --help)
  mailsh msg COMMAND FILE        compose, show, mime, save, hops, headers: the
                                 message tools outside a session (msg --help)

Options:
  --starttls          upgrade with STARTTLS (SMTP, after EHLO) or STLS (POP3) first
  --insecure          do not verify the server's certificate
  --cafile FILE       trust the CA certificates in FILE (PEM) as well
  --timeout D         connect and reply timeout (default 30s)
  -4, -6              use IPv4 or IPv6 only
  --no-color          no colour (also when NO_COLOR is set or stdout is not a terminal)
  --ehlo NAME         the name mailsh gives in EHLO when it sends one itself
  --user NAME         user name for :auth
  --password-file F   read the password for PASS and :auth from F (script mode)
  --allow-plaintext   script mode: allow sending a password without TLS to a remote host
  -e, --errexit       script mode: stop with status 1 at the first 4xx, 5xx or -ERR
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
	timeout                                                  time.Duration
	args                                                     []string
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// parseArgs reads flags anywhere on the line, so that both
// "mailsh --starttls smtp://h" and "mailsh smtp://h --starttls" work.
func parseArgs(argv []string) (*options, error) {
	o := &options{timeout: 30 * time.Second}
	bools := map[string]*bool{
		"starttls": &o.starttls, "insecure": &o.insecure, "4": &o.v4, "6": &o.v6,
		"no-color": &o.noColor, "no-colour": &o.noColor, "errexit": &o.errexit, "e": &o.errexit,
		"allow-plaintext": &o.allowPlain, "version": &o.version, "help": &o.help, "h": &o.help,
		"no-redact": &o.noRedact,
	}
	strs := map[string]*string{
		"cafile": &o.cafile, "ehlo": &o.ehlo, "user": &o.user, "password-file": &o.passwordFile,
		"transcript": &o.transcript, "t": &o.transcript,
	}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			o.args = append(o.args, argv[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			o.args = append(o.args, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if b, ok := bools[name]; ok {
			if hasVal {
				return nil, usagef("%s takes no value", a)
			}
			*b = true
			continue
		}
		if name == "timeout" || name == "abbreviate" || strs[name] != nil {
			if !hasVal {
				if i+1 >= len(argv) {
					return nil, usagef("%s needs a value", a)
				}
				i++
				val = argv[i]
			}
			if name == "abbreviate" {
				n, err := strconv.Atoi(val)
				if err != nil || n < 1 {
					return nil, usagef("bad --abbreviate %q: give a number of lines", val)
				}
				o.abbreviate = n
				continue
			}
			if name == "timeout" {
				d, err := time.ParseDuration(val)
				if err != nil || d <= 0 {
					return nil, usagef("bad --timeout %q: give a duration such as 10s or 2m", val)
				}
				o.timeout = d
				continue
			}
			*strs[name] = val
			continue
		}
		return nil, usagef("unknown option %s (mailsh --help lists them)", a)
	}
	if o.v4 && o.v6 {
		return nil, errors.New("-4 and -6 exclude each other")
	}
	return o, nil
}

// subcommands are the words that make mailsh do something other than open
// a session: each takes the rest of the command line.
var subcommands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int{}
