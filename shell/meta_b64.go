package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/mailsh/mailsh/proto"
)

// maxB64File caps what :b64 -f and :unb64 -f read: they print to the
// screen, so a large file is a mistake (use :data to send one).
const maxB64File = 1 << 20

func b64Input(args []string) ([]byte, error) {
	if len(args) == 0 {
		return nil, errors.New("give TEXT or -f FILE")
	}
	if args[0] == "-f" {
		if len(args) != 2 {
			return nil, errors.New("usage: -f FILE")
		}
		f, err := os.Open(args[1])
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxB64File+1))
		if err != nil {
			return nil, err
		}
		if len(b) > maxB64File {
			return nil, fmt.Errorf("%s is larger than %d bytes; :b64 prints to the screen", args[1], maxB64File)
		}
		return b, nil
	}
	return []byte(strings.Join(args, " ")), nil
}

// metaB64 encodes text, with \0 standing for NUL so that an AUTH PLAIN
// blob can be built by hand: :b64 \0tim\0tanstaaf.
func (s *Session) metaB64(_ context.Context, args []string) error {
	in, err := b64Input(args)
	if err != nil {
		return fmt.Errorf(":b64: %w", err)
	}
	if args[0] != "-f" {
		in = []byte(strings.ReplaceAll(string(in), `\0`, "\x00"))
	}
	s.P.Plain("%s\n", proto.B64(in))
	return nil
}

func (s *Session) metaUnB64(_ context.Context, args []string) error {
	in, err := b64Input(args)
	if err != nil {
		return fmt.Errorf(":unb64: %w", err)
	}
	out, err := proto.UnB64(string(in))
	if err != nil {
		return err
	}
	if !utf8.Valid(out) {
		s.P.Plain("%d bytes, not text: % x\n", len(out), out)
		return nil
	}
	s.P.Plain("%s\n", Printable(strings.ReplaceAll(string(out), "\x00", `\0`), false))
	return nil
}
