package shell

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/proto"
)

// metaData sends a file as the message: with DATA, dot-stuffed as it
// streams (RFC 5321 §4.5.2), or with --bdat as RFC 3030 chunks. The file is
// never read whole into memory; line endings become CRLF.
func (s *Session) metaData(_ context.Context, args []string) error {
	var file string
	bdat := false
	chunk := int64(1 << 20)
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--bdat":
			bdat = true
		case a == "--chunk" && i+1 < len(args):
			n, err := parseSize(args[i+1])
			if err != nil || n < 1 {
				return fmt.Errorf("bad --chunk %q: give bytes, or a size such as 64K or 1M", args[i+1])
			}
			chunk = n
			i++
		case file == "" && !strings.HasPrefix(a, "--"):
			file = a
		default:
			return errors.New("usage: :data FILE [--bdat [--chunk SIZE]]")
		}
	}
	if file == "" {
		return errors.New("usage: :data FILE [--bdat [--chunk SIZE]]")
	}
	if s.Client == nil || s.Client.Closed() {
		return errors.New("not connected")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a directory", file)
	}
	if bdat {
		if err := s.Client.CanChunk(); err != nil {
			return err
		}
	} else if rep, err := s.Client.OpenText(); err != nil || rep != nil {
		if err != nil {
			return fmt.Errorf(":data: %w", err)
		}
		return s.after(rep, nil)
	}
	prog := s.progress(st.Size())
	s.P.MuteBody(true)
	defer s.P.MuteBody(false)
	r := io.TeeReader(f, prog)
	var rep *proto.Reply
	if bdat {
		rep, err = s.sendChunks(r, chunk)
	} else {
		rep, _, err = s.Client.SendMessage(r)
	}
	prog.Done()
	if err == nil {
		s.P.Say("sent %s (%s)", file, message.HumanSize(st.Size()))
	}
	return s.after(rep, err)
}

// sendChunks sends r as BDAT chunks of about size octets each, turning
// bare LF into CRLF: BDAT sends octets exactly as given (RFC 3030 §2), so
// the message must already have its wire form.
func (s *Session) sendChunks(r io.Reader, size int64) (*proto.Reply, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf bytes.Buffer
	lastCR := false
	for {
		buf.Reset()
		for int64(buf.Len()) < size {
			b, err := br.ReadByte()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if b == '\n' && !lastCR {
				buf.WriteByte('\r')
			}
			buf.WriteByte(b)
			lastCR = b == '\r'
		}
		_, err := br.Peek(1)
		last := err != nil
		_, rep, cerr := s.Client.Bdat(bytes.NewReader(buf.Bytes()), int64(buf.Len()), last)
		if cerr != nil || rep.Class() != proto.ClassPositive || last {
			return rep, cerr
		}
	}
}

// parseSize reads 4096, 64K, 1M, 2G.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult, s = 1<<10, s[:len(s)-1]
	case "M":
		mult, s = 1<<20, s[:len(s)-1]
	case "G":
		mult, s = 1<<30, s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n * mult, err
}
