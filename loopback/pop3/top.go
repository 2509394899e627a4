package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// copyTop streams a message's header and its first n body lines (RFC 1939
// §7, TOP) to w, line by line.
func copyTop(w io.Writer, r io.Reader, n int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	inHeader, start := true, true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			blank := false
			if start {
				if !inHeader {
					if n <= 0 {
						return nil
					}
					n--
				}
				blank = len(bytes.TrimRight(chunk, "\r\n")) == 0 && chunk[len(chunk)-1] == '\n'
			}
			if _, werr := w.Write(chunk); werr != nil {
				return werr
			}
			if blank {
				inHeader = false
			}
			// A line longer than the buffer arrives in pieces.
			start = chunk[len(chunk)-1] == '\n'
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case err == io.EOF:
			return nil
		default:
			return err
		}
	}
}
