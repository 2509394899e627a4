package shell

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/proto"
)

// metaAppend adds a file to an IMAP mailbox with APPEND (RFC 9051
// §6.3.12): the file goes as a literal, streamed with a progress bar,
// its bare LF line endings made CRLF. The file is read twice (once to
// count the octets the literal announces) and never held in memory.
func (s *Session) metaAppend(_ context.Context, args []string) error {
	if len(args) < 2 {
		return errors.New(`usage: :append MAILBOX FILE [FLAG…] (as in :append INBOX msg.eml \Seen)`)
	}
	if s.Client == nil || s.Client.Closed() {
		return errors.New("not connected")
	}
	snap := s.Client.Machine.Snapshot()
	add := snap.Proto.Spec().Append
	if add == nil {
		return fmt.Errorf(":append adds a message to a mailbox with APPEND, which %s has not", snap.Proto)
	}
	if cmd := proto.TableFor(snap.Proto).Lookup("APPEND"); cmd != nil && !cmd.ValidIn(snap.State) {
		return fmt.Errorf("APPEND needs a logged-in session (now: %s)", snap.State.Describe())
	}
	mailbox, file, flags := args[0], args[1], args[2:]
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return err
	} else if st.IsDir() {
		return fmt.Errorf("%s is a directory", file)
	}
	size, err := crlfSize(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", file, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	prog := s.progress(size)
	s.P.MuteBody(true)
	defer s.P.MuteBody(false)
	rep, err := add(s.Client, mailbox, systemFlags(flags), io.TeeReader(newCRLFReader(f), prog), size)
	prog.Done()
	if err == nil && rep != nil && rep.Class() == proto.ClassPositive {
		s.P.Say("appended %s to %s (%s)", file, mailbox, message.HumanSize(size))
	}
	return s.after(rep, err)
}

// crlfSize counts the octets of r with every bare LF made CRLF.
func crlfSize(r io.Reader) (int64, error) {
	var n int64
	_, err := io.Copy(countWriter{&n}, newCRLFReader(r))
	return n, err
}

type countWriter struct{ n *int64 }

func (w countWriter) Write(p []byte) (int, error) {
	*w.n += int64(len(p))
	return len(p), nil
}

// crlfReader makes every bare LF of what it reads a CRLF.
type crlfReader struct {
	br     *bufio.Reader
	lastCR bool
	lf     bool // an LF is owed after the CR just given
}

func newCRLFReader(r io.Reader) *crlfReader {
	return &crlfReader{br: bufio.NewReaderSize(r, 64<<10)}
}

func (c *crlfReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if c.lf {
			p[n] = '\n'
			n++
			c.lf, c.lastCR = false, false
			continue
		}
		b, err := c.br.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b == '\n' && !c.lastCR {
			p[n] = '\r'
			n++
			c.lf = true
			continue
		}
		p[n] = b
		n++
		c.lastCR = b == '\r'
	}
	return n, nil
}

// systemFlags gives the system flags their backslash, which the
// meta-command line takes for an escape: "Seen" and "\\Seen" are \Seen
// (RFC 9051 §2.3.2); other words are keywords, as they are.
func systemFlags(flags []string) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		name := strings.ToLower(strings.TrimPrefix(f, `\`))
		switch name {
		case "seen", "answered", "flagged", "deleted", "draft":
			f = `\` + strings.ToUpper(name[:1]) + name[1:]
		}
		out[i] = f
	}
	return out
}
