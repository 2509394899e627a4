package message

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// ComposeUsage describes the arguments ParseComposeArgs reads, for the
// shell's :compose and "mailsh msg compose" alike.
const ComposeUsage = `--from ADDRESS --to ADDRESS [--cc ADDRESS] [--bcc ADDRESS] --subject TEXT
    [--body TEXT | --body-file FILE] [--attach FILE]... [-o FILE [--force]]

  --from A          the author (one address: "Name <a@example.org>" or a@example.org)
  --to, --cc A      recipients; repeat the flag or separate addresses with commas
  --bcc A           blind recipients: in RCPT TO, never in the header (RFC 5322 §3.6.3)
  --subject S       the subject; any language (encoded as RFC 2047 words if needed)
  --body TEXT       the text (UTF-8; quoted-printable when it is not plain ASCII)
  --body-file F     the text, from a file
  --attach FILE     attach a file, base64-encoded, with its type and name; repeatable
  -o, --output F    write the message to F instead of sending it
  --force           let -o overwrite F`

// ComposeArgs are the parsed arguments of a compose command.
type ComposeArgs struct {
	Draft Draft
	// BodyFile names the file holding the body, if --body-file was given.
	BodyFile string
	// BodyGiven: --body or --body-file was given.
	BodyGiven bool
	// Output is the -o file; "" means send (in the shell) or standard
	// output ("mailsh msg compose").
	Output string
	Force  bool
	Help   bool
}

// ParseComposeArgs reads compose's flags: "--flag VALUE" or
// "--flag=VALUE". It does not read files; LoadBody does.
func ParseComposeArgs(args []string) (*ComposeArgs, error) {
	a := &ComposeArgs{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, inline := strings.Cut(arg, "=")
		if !strings.HasPrefix(arg, "-") {
			return nil, fmt.Errorf("unexpected argument %q: compose takes flags only (%s)", arg, "--from, --to, --subject, …")
		}
		takes := map[string]bool{"--from": true, "--to": true, "--cc": true, "--bcc": true, "--subject": true, "--body": true, "--body-file": true, "--attach": true, "-o": true, "--output": true}
		if !inline {
			name = arg
		}
		if takes[name] && !inline {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "--from":
			if a.Draft.From != "" {
				return nil, fmt.Errorf("--from given twice: a message has one author here")
			}
			a.Draft.From = value
		case "--to":
			a.Draft.To = append(a.Draft.To, value)
		case "--cc":
			a.Draft.Cc = append(a.Draft.Cc, value)
		case "--bcc":
			a.Draft.Bcc = append(a.Draft.Bcc, value)
		case "--subject":
			a.Draft.Subject = value
		case "--body":
			if a.BodyGiven {
				return nil, fmt.Errorf("give the body once: --body or --body-file")
			}
			a.Draft.Body, a.BodyGiven = value, true
		case "--body-file":
			if a.BodyGiven {
				return nil, fmt.Errorf("give the body once: --body or --body-file")
			}
			a.BodyFile, a.BodyGiven = value, true
		case "--attach":
			a.Draft.Attach = append(a.Draft.Attach, value)
		case "-o", "--output":
			a.Output = value
		case "--force":
			a.Force = true
		case "-h", "--help":
			a.Help = true
		default:
			return nil, fmt.Errorf("unknown flag %s", name)
		}
	}
	return a, nil
}

// LoadBody reads the body from --body-file, or from r when no body was
// given and r is not nil (standard input), up to MaxBodyText octets.
func (a *ComposeArgs) LoadBody(r io.Reader) error {
	switch {
	case a.BodyFile != "":
		f, err := os.Open(a.BodyFile)
		if err != nil {
			return draftError("--body-file: %v", err)
		}
		defer f.Close()
		r = f
	case a.BodyGiven || r == nil:
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxBodyText+1))
	if err != nil {
		return draftError("reading the body: %v", err)
	}
	if len(b) > MaxBodyText {
		return draftError("the body is larger than %s: send it as an attachment", HumanSize(MaxBodyText))
	}
	a.Draft.Body = string(b)
	return nil
}
