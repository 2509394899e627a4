package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/mailsh/mailsh/internal/progress"
	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/shell"
)

const msgUsage = `Usage: mailsh msg COMMAND ...   (the shell's :show, :mime, :save, :hops, :headers, :compose)

  mailsh msg show [FILE]                 the message with its body decoded for reading
  mailsh msg mime [FILE] [--sha256]      the MIME tree: part, type, charset, encoding, size, name
  mailsh msg save FILE PART OUT [--force]
                                         decode part PART to OUT; prints bytes and SHA-256
  mailsh msg hops [FILE]                 the Received chain as hops with delays, the slowest
                                         hop, and the SPF, DKIM and DMARC results
  mailsh msg headers [FILE]              each header field with its meaning
  mailsh msg compose --from A --to B [--cc C] [--bcc D] --subject S
        [--body TEXT | --body-file F | body on standard input]
        [--attach FILE]... [-o OUT [--force]]
                                         write a message (to standard output without -o)

FILE is a message as stored (.eml, a Maildir file, what :save wrote); without it, or
with "-", the message is read from standard input. PART numbers are those of
"mailsh msg mime": 1, 2, 2.1. OUT is never overwritten without --force, and is
written whole or not at all.

Options: --no-color (also NO_COLOR, or when standard output is not a terminal).

Examples:
  mailsh msg mime lecture.eml
  mailsh msg save lecture.eml 2 slides.ppt
  mailsh msg hops < message.eml
  mailsh msg compose --from vmc@example.org --to ei07787@example.org \
      --subject "Ficheiro Powerpoint em anexo" --body "Segue o ficheiro." \
      --attach slides.ppt -o message.eml

Exit status: 0 done, 1 a message or file could not be read or written, 2 usage.
`

// runMsg runs "mailsh msg …": the message tools outside a session.
func runMsg(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, msgUsage)
		return 2
	}
	// Options may come before the command too: mailsh msg --no-color show.
	for len(args) > 1 && (args[0] == "--no-color" || args[0] == "--no-colour") {
		args = append(args[1:], args[0])
	}
	cmd, args := args[0], args[1:]
	if cmd == "-h" || cmd == "--help" || cmd == "help" {
		fmt.Fprint(stdout, msgUsage)
		return 0
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(stderr, "mailsh: hint: mailsh msg --help shows how")
			return 2
		}
		return 1
	}
	if cmd == "compose" {
		// compose's options are the shell's :compose options, read by
		// their own parser in package message.
		for _, a := range args {
			if a == "-h" || a == "--help" {
				fmt.Fprint(stdout, msgUsage)
				return 0
			}
		}
		if err := msgCompose(args, stdin, stdout, stderr); err != nil {
			return fail(err)
		}
		return 0
	}
	fs := flag.NewFlagSet("mailsh msg "+cmd, flag.ContinueOnError)
	noColor := fs.Bool("no-color", false, "")
	fs.BoolVar(noColor, "no-colour", false, "")
	var sums, force *bool
	switch cmd {
	case "mime":
		sums = fs.Bool("sha256", false, "")
	case "save":
		force = fs.Bool("force", false, "")
	}
	pos, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, msgUsage)
		return 0
	case err != nil:
		return fail(err)
	}
	st := msgStyle(stdout, *noColor)
	switch cmd {
	case "show":
		err = withMessage(pos, 1, stdin, func(r io.Reader, _ []string) error {
			shown, err := message.Show(stdout, r, st)
			if err == nil && len(shown.Attachments) > 0 {
				fmt.Fprintln(stderr, "mailsh: save a part with: mailsh msg save FILE PART OUT")
			}
			return err
		})
	case "mime":
		err = withMessage(pos, 1, stdin, func(r io.Reader, _ []string) error {
			top, err := message.Tree(r, message.TreeOptions{SHA256: *sums})
			if err != nil {
				return err
			}
			return message.WriteTree(stdout, top, st)
		})
	case "hops":
		err = withMessage(pos, 1, stdin, func(r io.Reader, _ []string) error {
			c, err := message.ReadChain(r)
			if err != nil {
				return err
			}
			return message.WriteHops(stdout, c, st)
		})
	case "headers":
		err = withMessage(pos, 1, stdin, func(r io.Reader, _ []string) error {
			return message.WriteHeaders(stdout, r, st)
		})
	case "save":
		err = msgSave(pos, *force, stdin, stdout)
	default:
		err = usagef("unknown msg command %q (show, mime, save, hops, headers, compose)", cmd)
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// msgStyle dresses the views for a terminal: field names bold, remarks in
// magenta and warnings in red, bars in blocks as wide as the window; for a
// pipe or a file, or with NO_COLOR, plain text and "#" bars.
func msgStyle(stdout io.Writer, noColor bool) message.Style {
	tty := isTerminal(stdout)
	colour := tty && !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	width := 0
	if tty {
		width = 80
		if w, _, err := term.GetSize(int(stdout.(interface{ Fd() uintptr }).Fd())); err == nil {
			width = w
		}
	}
	return shell.NewPrinter(stdout, colour).MessageStyle(width)
}

// withMessage opens the message named by the first of args (standard
// input for none or "-") and hands it and the other arguments to fn.
func withMessage(args []string, max int, stdin io.Reader, fn func(r io.Reader, rest []string) error) error {
	for _, a := range args {
		if strings.HasPrefix(a, "-") && a != "-" {
			return usagef("unknown option %s", a)
		}
	}
	if len(args) > max {
		return usagef("too many arguments: %s", strings.Join(args, " "))
	}
	if len(args) == 0 || args[0] == "-" {
		if len(args) > 0 {
			args = args[1:]
		}
		return fn(stdin, args)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory, not a message", args[0])
	}
	return fn(f, args[1:])
}

func msgSave(pos []string, force bool, stdin io.Reader, stdout io.Writer) error {
	if len(pos) != 3 {
		return usagef("usage: mailsh msg save FILE PART OUT [--force] (FILE \"-\" is standard input)")
	}
	return withMessage(pos[:1], 1, stdin, func(r io.Reader, _ []string) error {
		saved, err := message.Save(r, pos[1], pos[2], force)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved part %s (%s", pos[1], saved.Part.Type)
		if saved.Part.Filename != "" {
			fmt.Fprintf(stdout, ", %s", termsafe.Quote(saved.Part.Filename))
		}
		fmt.Fprintf(stdout, "): %d bytes to %s\nSHA-256 %s\n", saved.Bytes, saved.Path, saved.SHA256)
		return nil
	})
}

func msgCompose(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	ca, err := message.ParseComposeArgs(args)
	if err != nil {
		return usagef("%v", err)
	}
	if !ca.BodyGiven && isTerminal(stdin) {
		fmt.Fprintln(stderr, "mailsh: type the body; end it with Ctrl-D")
	}
	if err := ca.LoadBody(stdin); err != nil {
		return err
	}
	d := &ca.Draft
	if err := d.Check(); err != nil {
		return err
	}
	var w io.Writer // the bar only at a terminal
	if isTerminal(stderr) {
		w = stderr
	}
	prog := progress.New(w, d.AttachmentBytes(), "attaching ", nil)
	d.Progress = prog
	defer prog.Done()
	if d.HasBcc() {
		fmt.Fprintln(stderr, "mailsh: note: the Bcc recipients are not written in the message (RFC 5322 §3.6.3); give them as RCPT TO when you send it")
	}
	if ca.Output == "" {
		if isTerminal(stdout) && d.AttachmentBytes() > 0 {
			return errors.New("refusing to write base64 attachments to the terminal: give -o FILE or redirect standard output")
		}
		_, err := d.WriteTo(stdout)
		return err
	}
	saved, err := message.WriteFile(ca.Output, ca.Force, func(w io.Writer) error {
		_, err := d.WriteTo(w)
		return err
	})
	if err != nil {
		return err
	}
	prog.Done()
	fmt.Fprintf(stderr, "mailsh: wrote %s (%d bytes)\n", saved.Path, saved.Bytes)
	return nil
}
