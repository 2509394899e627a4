package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/mailsh/mailsh/internal/progress"
	"github.com/mailsh/mailsh/internal/termsafe"
	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// messageMetaCommands are the message commands: they work on the message
// last retrieved with RETR or TOP (see capture.go), or on a file, and
// :compose writes one.
func messageMetaCommands() []*metaCommand {
	return []*metaCommand{
		{Name: "compose", Args: "--from A --to B --subject S …", Help: "build a message (MIME, base64 attachments) and send it here with MAIL, RCPT, DATA, or write it to FILE (:compose --help)", Run: (*Session).metaCompose},
		{Name: "show", Args: "[N | FILE]", ArgKind: "file", Help: "the last retrieved message (or RETR N first, or FILE) with the body decoded: charset, quoted-printable, base64", Run: (*Session).metaShow},
		{Name: "mime", Args: "[FILE]", ArgKind: "file", Help: "the MIME tree of the last retrieved message: part, type, charset, encoding, size, file name", Run: (*Session).metaMime},
		{Name: "save", Args: "PART FILE [--force] [-f MESSAGE]", Help: "decode one part (see :mime) to FILE; prints the bytes written and the SHA-256", Run: (*Session).metaSave},
		{Name: "hops", Args: "[FILE]", ArgKind: "file", Help: "the Received chain as hops: delays, a bar chart, the slowest hop, SPF/DKIM/DMARC", Run: (*Session).metaHops},
		{Name: "headers", Args: "[FILE]", ArgKind: "file", Help: "each header field of the last retrieved message with its meaning", Run: (*Session).metaHeaders},
	}
}

// messageStyle dresses the views as the printer dresses the session:
// field names bold, remarks in mailsh's colour, and at a terminal a bar
// chart in blocks as wide as the window.
func (s *Session) messageStyle() message.Style {
	width := 0
	if s.Opts.Interactive {
		width = 80
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			width = w
		}
	}
	return s.P.MessageStyle(width)
}

// printerWriter lets the message views write through the printer.
type printerWriter struct{ p *Printer }

func (w printerWriter) Write(b []byte) (int, error) {
	w.p.Plain("%s", b)
	return len(b), nil
}

// openMessage opens FILE, or the message last retrieved when file is "".
func (s *Session) openMessage(file string) (*os.File, error) {
	if file == "" {
		path, err := s.LastMessage()
		if err != nil {
			return nil, err
		}
		file = path
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s is a directory", file)
	}
	return f, nil
}

// fileArg reads the optional FILE (or -f FILE) of :mime, :hops, :headers.
func fileArg(name string, args []string) (string, error) {
	if len(args) == 2 && args[0] == "-f" {
		args = args[1:]
	}
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		return args[0], nil
	}
	return "", fmt.Errorf("usage: :%s [FILE] (without FILE: the message last retrieved with RETR or TOP)", name)
}

func (s *Session) metaMime(_ context.Context, args []string) error {
	return s.withMessage("mime", args, func(f io.Reader, w io.Writer, st message.Style) error {
		top, err := message.Tree(f, message.TreeOptions{})
		if err != nil {
			return err
		}
		return message.WriteTree(w, top, st)
	})
}

func (s *Session) metaHops(_ context.Context, args []string) error {
	return s.withMessage("hops", args, func(f io.Reader, w io.Writer, st message.Style) error {
		c, err := message.ReadChain(f)
		if err != nil {
			return err
		}
		return message.WriteHops(w, c, st)
	})
}

func (s *Session) metaHeaders(_ context.Context, args []string) error {
	return s.withMessage("headers", args, func(f io.Reader, w io.Writer, st message.Style) error {
		return message.WriteHeaders(w, f, st)
	})
}

// withMessage opens the message a command works on (FILE, or the last one
// retrieved) and hands it to view with the printer as output.
func (s *Session) withMessage(name string, args []string, view func(f io.Reader, w io.Writer, st message.Style) error) error {
	file, err := fileArg(name, args)
	if err != nil {
		return err
	}
	f, err := s.openMessage(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return view(f, printerWriter{s.P}, s.messageStyle())
}

// metaShow shows a message decoded. ":show N" in a POP3 session retrieves
// message N first with RETR, which the session shows as always: the
// command and the server's status line; the raw text is summed up, since
// it follows decoded.
func (s *Session) metaShow(_ context.Context, args []string) error {
	if len(args) == 2 && args[0] == "-f" {
		args = args[1:]
	}
	if len(args) > 1 {
		return errors.New("usage: :show [N | FILE] (N: retrieve message N with RETR first)")
	}
	file := ""
	if len(args) == 1 {
		file = args[0]
		if isNumber(file) && s.Client != nil && !s.Client.Closed() && s.Client.Machine.Protocol().Spec().Retrieve != nil {
			if err := s.retrieve(file); err != nil {
				return err
			}
			file = ""
		} else if isNumber(file) {
			if _, err := os.Stat(file); err != nil {
				return fmt.Errorf(":show %s retrieves message %s in a %s session (this is none); for a file named %s, write ./%s", file, file, protocols.All.Names(func(sp *proto.Spec) bool { return sp.Retrieve != nil }), file, file)
			}
		}
	}
	f, err := s.openMessage(file)
	if err != nil {
		return err
	}
	defer f.Close()
	shown, err := message.Show(printerWriter{s.P}, f, s.messageStyle())
	if err != nil {
		return err
	}
	if len(shown.Attachments) > 0 {
		s.P.Say("save a part with :save PART FILE (:mime lists them)")
	}
	return nil
}

func isNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// retrieve fetches message n whole, as the protocol's Retrieve says
// (POP3's RETR n, IMAP's FETCH n BODY.PEEK[]). The printer shows the
// command and the status line; the message's lines are counted instead
// of scrolled past.
func (s *Session) retrieve(n string) error {
	line := s.Client.Machine.Protocol().Spec().Retrieve(n)
	if cmd := s.Client.Machine.Classify(line); !cmd.Valid {
		return fmt.Errorf(":show %s sends %s, which is not valid now: %s", n, line, s.Client.Machine.State().Describe())
	}
	s.P.CountBody(true)
	_, rep, err := s.Client.Command(line)
	if n := s.P.CountBody(false); n > 0 {
		s.P.Say("(%d lines of message text; shown decoded below)", n)
	}
	if err := s.after(rep, err); err != nil {
		return err
	}
	if rep == nil || rep.Class().Failed() {
		return fmt.Errorf("message %s was not retrieved", n)
	}
	return nil
}

func (s *Session) metaSave(_ context.Context, args []string) error {
	var part, out, from string
	force := false
	var pos []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--force":
			force = true
		case a == "-f" && i+1 < len(args):
			from = args[i+1]
			i++
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return errors.New("usage: :save PART FILE [--force] [-f MESSAGE] (PART as :mime numbers them: 1, 2, 2.1)")
	}
	part, out = pos[0], pos[1]
	f, err := s.openMessage(from)
	if err != nil {
		return err
	}
	defer f.Close()
	saved, err := message.Save(f, part, out, force)
	if err != nil {
		return err
	}
	name := ""
	if saved.Part.Filename != "" {
		name = " (" + termsafe.Quote(saved.Part.Filename) + ")"
	}
	s.P.Say("saved part %s%s, %s: %d bytes to %s", part, name, saved.Part.Type, saved.Bytes, saved.Path)
	s.P.Say("SHA-256 %s", saved.SHA256)
	return nil
}

// metaCompose builds a message and sends it in this SMTP session, one
// command at a time as a person would (MAIL, RCPT for each recipient,
// DATA, the text), or writes it to a file with -o.
func (s *Session) metaCompose(_ context.Context, args []string) error {
	ca, err := message.ParseComposeArgs(args)
	if err != nil {
		return fmt.Errorf("%v\nusage: :compose %s", err, message.ComposeUsage)
	}
	if ca.Help {
		s.P.Plain(":compose %s\n\nWithout -o the message is sent here: MAIL FROM, RCPT TO for every recipient, DATA.\n", message.ComposeUsage)
		return nil
	}
	if err := ca.LoadBody(nil); err != nil {
		return err
	}
	d := &ca.Draft
	if !ca.BodyGiven {
		s.P.Say("no body given (--body TEXT or --body-file FILE): the message has an empty text part")
	}
	if ca.Output != "" {
		if err := d.Check(); err != nil {
			return err
		}
		d.Progress = s.progress(d.AttachmentBytes())
		saved, err := message.WriteFile(ca.Output, ca.Force, func(w io.Writer) error {
			_, err := d.WriteTo(w)
			return err
		})
		d.Progress.(*progress.Bar).Done()
		if err != nil {
			return err
		}
		s.P.Say("wrote the message to %s (%s)", saved.Path, message.HumanSize(saved.Bytes))
		if d.HasBcc() {
			s.P.Say("the Bcc recipients are not in it (RFC 5322 §3.6.3): give them as RCPT TO when you send it")
		}
		return nil
	}
	return s.sendComposed(d)
}

// mailers names the protocols that send mail.
func mailers() string {
	return protocols.All.Names(func(sp *proto.Spec) bool { return sp.Mail != nil })
}

// sendComposed runs the mail transaction for a composed message. It stops
// at the first failure reply and resets the transaction with RSET.
func (s *Session) sendComposed(d *message.Draft) error {
	if s.Client == nil || s.Client.Closed() {
		return fmt.Errorf("not connected: :compose sends over %s (or give -o FILE)", mailers())
	}
	if s.Client.Machine.Protocol().Spec().Mail == nil {
		return fmt.Errorf(":compose sends over %s; this is a %s session (give -o FILE to write the message instead)", mailers(), s.Client.Machine.Protocol())
	}
	if _, err := s.Client.MailReady(); err != nil {
		return fmt.Errorf(":compose starts a mail transaction, which %w", err)
	}
	from, rcpts, err := d.Envelope() // checks the draft before anything is sent
	if err != nil {
		return err
	}
	rep, err := s.Client.StartMail(from, rcpts)
	if err != nil {
		return fmt.Errorf(":compose: %w", err)
	}
	if rep != nil {
		return s.abandon(rep)
	}
	if d.HasBcc() {
		s.P.Say("the Bcc recipients got RCPT TO but are not in the header (RFC 5322 §3.6.3)")
	}
	return s.streamMessage(d)
}

// abandon reports a failure reply and resets the transaction.
func (s *Session) abandon(rep *proto.Reply) error {
	err := s.after(rep, nil)
	if errors.Is(err, ErrStop) || err == nil {
		if r2, rerr := s.Client.ResetMail(); rerr == nil && r2 != nil && err == nil {
			err = s.after(r2, nil)
		}
	}
	if err == nil {
		s.P.Warn("the message was not sent: the server refused it (%s); the transaction was reset", Printable(strings.TrimSpace(rep.Lines[0]), false))
	}
	return err
}

// streamMessage sends the message text after 354. The header crosses the
// wire visibly; with attachments the rest is not echoed line by line (a
// progress bar shows it going).
func (s *Session) streamMessage(d *message.Draft) error {
	prog := s.progress(d.AttachmentBytes())
	d.Progress = prog
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := d.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	mute := len(d.Attach) > 0
	r := &afterHeader{r: pr, at: func() {
		if mute {
			s.P.MuteBody(true)
		}
	}}
	rep, n, err := s.Client.SendMessage(r)
	pr.CloseWithError(errors.New("sending stopped"))
	<-done
	prog.Done()
	s.P.MuteBody(false)
	if err == nil && mute {
		s.P.Say("sent the message text after its header (%s, not echoed)", message.HumanSize(n))
	}
	return s.after(rep, err)
}

// afterHeader passes a message through and calls at once the header and
// its blank line have been read, before any of the body: by then the
// header's lines have crossed the wire.
type afterHeader struct {
	r    io.Reader
	at   func()
	last [4]byte
	seen int
	done bool
}

func (a *afterHeader) Read(p []byte) (int, error) {
	if a.done {
		if a.at != nil {
			a.at()
			a.at = nil
		}
		return a.r.Read(p)
	}
	n, err := a.r.Read(p)
	for i := 0; i < n; i++ {
		copy(a.last[:], a.last[1:])
		a.last[3] = p[i]
		a.seen++
		if a.seen >= 4 && string(a.last[:]) == "\r\n\r\n" {
			// Hand over the header alone; the body comes on the next Read.
			a.done = true
			rest := append([]byte(nil), p[i+1:n]...)
			a.r = io.MultiReader(bytes.NewReader(rest), a.r)
			return i + 1, nil // an error comes again on the next Read
		}
	}
	return n, err
}
