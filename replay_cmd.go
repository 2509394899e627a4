package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
	"github.com/mailsh/mailsh/transcript"
)

const replayUsage = `Usage: mailsh replay FILE [TARGET]... [options]

Sends the client lines of a recorded transcript to a server again, waits
for each reply, and checks that its code is the one recorded: a regression
test for a mail server in one command. Exit status 0 when every reply
matches, 1 otherwise (with a report of each differing step), 2 on a usage
error.

TARGET replaces the recorded server: smtp://HOST[:PORT] for the SMTP
sessions, pop3://HOST[:PORT] for the POP3 ones (give both for a transcript
with both).

Redacted secrets are not sent as "[redacted]": they are taken from
--secret, from the environment (MAILSH_PASSWORD, MAILSH_USER,
MAILSH_TOKEN), or asked for at a terminal. APOP digests and CRAM-MD5
answers depend on the server's challenge, so they are computed afresh.

Options:
  --secret NAME=VALUE   password=…, user=… (when the transcript does not
                        say who logged in), token=… (XOAUTH2)
  --cafile FILE         trust the CA certificates in FILE as well
  --insecure            do not verify the server's certificate
  --timeout D           reply timeout (default 30s)
`

// secretFlag collects --secret NAME=VALUE, which may be repeated.
type secretFlag map[string]string

func (f secretFlag) String() string { return "" }
func (f secretFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok {
		return errors.New("give --secret as NAME=VALUE (password=…, user=…, token=…)")
	}
	f[strings.ToLower(k)] = val
	return nil
}

func runReplay(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	secrets := secretFlag{}
	fs := flag.NewFlagSet("mailsh replay", flag.ContinueOnError)
	fs.Var(secrets, "secret", "")
	cafile := fs.String("cafile", "", "")
	insecure := fs.Bool("insecure", false, "")
	timeout := fs.Duration("timeout", 30*time.Second, "")
	pos, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, replayUsage)
		return 0
	case err == nil && *timeout <= 0:
		err = usagef("--timeout needs a duration such as 10s")
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n%s", err, replayUsage)
		return 2
	}
	var file string
	var targets []string
	if len(pos) > 0 {
		file, targets = pos[0], pos[1:]
	}
	if file == "" {
		fmt.Fprint(stderr, "mailsh: give the transcript FILE\n"+replayUsage)
		return 2
	}
	// The report quotes the servers' replies and the transcript's lines:
	// both are escaped for the terminal.
	o := transcript.ReplayOptions{Targets: map[proto.Protocol]proto.Target{}, Out: termsafe.Writer{W: stdout}}
	for _, s := range targets {
		t, err := protocols.All.ParseTarget(s)
		if err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 2
		}
		o.Targets[t.Proto] = t
	}
	cfg, err := tlsConfig(&options{cafile: *cafile, insecure: *insecure})
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 1
	}
	o.Dial = proto.DialOptions{Timeout: *timeout, TLSConfig: cfg, Protocols: protocols.All}
	o.Secret = replaySecrets(secrets, stdin, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := transcript.Replay(ctx, file, o)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: replay: %s\n", termsafe.Text(err.Error()))
		return 1
	}
	if !res.OK() {
		return 1
	}
	return 0
}

// replaySecrets supplies what a transcript redacted: from --secret, the
// environment, or a prompt at a terminal (without echo for passwords).
func replaySecrets(given map[string]string, stdin io.Reader, stderr io.Writer) func(string) (string, error) {
	env := map[string]string{"password": "MAILSH_PASSWORD", "user": "MAILSH_USER", "token": "MAILSH_TOKEN"}
	asked := map[string]string{}
	return func(name string) (string, error) {
		if v, ok := given[name]; ok {
			return v, nil
		}
		if v, ok := asked[name]; ok {
			return v, nil
		}
		if v, ok := os.LookupEnv(env[name]); ok {
			return v, nil
		}
		f, ok := stdin.(*os.File)
		if !ok || !term.IsTerminal(int(f.Fd())) {
			return "", fmt.Errorf("the transcript redacted a %s: give --secret %s=… or set %s", name, name, env[name])
		}
		fmt.Fprintf(stderr, "%s for the replay: ", name)
		var v string
		if name == "user" {
			line, _ := bufio.NewReader(f).ReadString('\n')
			v = strings.TrimSpace(line)
		} else {
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			if err != nil {
				return "", err
			}
			v = string(b)
		}
		asked[name] = v
		return v, nil
	}
}
