package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mailsh/mailsh/transcript"
)

const transcriptUsage = `Usage: mailsh transcript export FILE [--format md|html|json] [-o OUT] [--force]

Turns a transcript recorded with -t FILE or :transcript start FILE into:
  md    Markdown for a report: the session as a listing, then a table of
        commands, reply codes, the time each reply took and what each means
  html  one self-contained page: a sequence diagram (SVG), the coloured
        listing and the table
  json  JSON Lines for tools: a "session" object per header, a "line" object
        per line of the session

Without --format the format is OUT's extension (.md, .html or .json); a
--format given wins over it. Without -o the export goes to standard output,
and --format is needed. An existing OUT is not overwritten unless --force is
given.

Examples:
  mailsh transcript export session.txt -o report.html
  mailsh transcript export session.txt --format json > session.jsonl
`

// exports are the export formats by name; the names are also the
// extensions of OUT that choose them when --format is not given.
var exports = map[string]func(string, io.Writer) error{
	"md": transcript.ExportMarkdown, "markdown": transcript.ExportMarkdown,
	"html": transcript.ExportHTML, "htm": transcript.ExportHTML,
	"json": transcript.ExportJSON, "jsonl": transcript.ExportJSON,
}

// formatChoices names the formats in messages.
const formatChoices = "md, html or json"

// exportFormat chooses the export: the --format given, or else the
// extension of the output file. An error is a usage error.
func exportFormat(format, out string) (func(string, io.Writer) error, error) {
	if format != "" {
		if export, ok := exports[strings.ToLower(format)]; ok {
			return export, nil
		}
		return nil, fmt.Errorf("unknown format %q: --format takes %s", format, formatChoices)
	}
	if out == "" {
		return nil, fmt.Errorf("give --format %s (or -o OUT ending in .md, .html or .json)", formatChoices)
	}
	ext := strings.TrimPrefix(filepath.Ext(out), ".")
	if export, ok := exports[strings.ToLower(ext)]; ok {
		return export, nil
	}
	return nil, fmt.Errorf("cannot tell the format from the name %s: give --format %s, or end it in .md, .html or .json", out, formatChoices)
}

func runTranscript(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, transcriptUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] != "export" {
		fmt.Fprintf(stderr, "mailsh: unknown transcript command %q (try: mailsh transcript export FILE -o OUT.md)\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("mailsh transcript export", flag.ContinueOnError)
	var format, out string
	fs.StringVar(&format, "format", "", "")
	fs.StringVar(&format, "f", "", "")
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	force := fs.Bool("force", false, "")
	pos, err := parseFlags(fs, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, transcriptUsage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "mailsh: %v\n%s", err, transcriptUsage)
		return 2
	case len(pos) == 0:
		fmt.Fprint(stderr, "mailsh: give the transcript FILE\n"+transcriptUsage)
		return 2
	case len(pos) > 1:
		fmt.Fprintf(stderr, "mailsh: unexpected %q\n%s", pos[1], transcriptUsage)
		return 2
	}
	file := pos[0]
	export, err := exportFormat(format, out)
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: %v\n", err)
		return 2
	}
	w := stdout
	var tmp *os.File
	if out != "" {
		if _, err := os.Stat(out); err == nil && !*force {
			fmt.Fprintf(stderr, "mailsh: %s exists; give --force to overwrite it\n", out)
			return 1
		}
		tmp, err = os.CreateTemp(filepath.Dir(out), ".mailsh-export-*")
		if err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 1
		}
		defer os.Remove(tmp.Name())
		w = tmp
	}
	if err := export(file, w); err != nil {
		fmt.Fprintf(stderr, "mailsh: %s: %v\n", file, err)
		return 1
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 1
		}
		os.Chmod(tmp.Name(), 0o644)
		if err := os.Rename(tmp.Name(), out); err != nil {
			fmt.Fprintf(stderr, "mailsh: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "mailsh: wrote %s\n", out)
	}
	return 0
}
