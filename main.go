// Command mailsh is an interactive shell for SMTP, POP3 and IMAP that replaces
// "telnet host 25": it completes the commands valid in the current state,
// colours and explains replies, handles dot-stuffing, SASL and TLS, records
// transcripts, and ships a loopback mail server so that it works offline.
//
// main wires: each subcommand is one file with its own flag.FlagSet,
// usage text and examples (session_cmd.go for the session itself).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand, or opens a session. Every subcommand
// prints its usage for -h, exits 2 on a usage mistake and 1 on a failure.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) > 0 {
		switch argv[0] {
		case "serve":
			return runServe(argv[1:], stdout, stderr)
		case "msg":
			return runMsg(argv[1:], stdin, stdout, stderr)
		case "transcript":
			return runTranscript(argv[1:], stdout, stderr)
		case "replay":
			return runReplay(argv[1:], stdin, stdout, stderr)
		}
	}
	return runSession(argv, version, stdin, stdout, stderr)
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// parseFlags parses fs's flags wherever they stand among the arguments,
// and returns the others; "--" ends the flags. Its errors name the option
// as it was written (--timeout), and flag.ErrHelp stands for -h.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, flagError(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError rewords the flag package's errors as a person types options.
func flagError(err error) error {
	msg := err.Error()
	dashed := func(name string) string { return "--" + strings.TrimLeft(name, "-") }
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usagef("unknown option %s (--help lists them)", dashed(name))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("%s needs a value", dashed(name))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		return usagef("an option that takes no value was given one: %s", rest)
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		return usagef("bad value %s", rest)
	}
	return usagef("%s", msg)
}
