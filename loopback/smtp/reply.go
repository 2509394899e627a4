package smtp

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// Reply is one SMTP reply (RFC 5321 §4.2): a code, an RFC 3463 enhanced
// status code, which RFC 2034 §4 puts on every line of every reply but the
// greeting and the answers to EHLO and HELO, and one or more lines of text.
type Reply struct {
	Code     int
	Enhanced proto.EnhancedCode
	Text     []string
}

// reply builds a Reply; enh is an enhanced code such as "5.1.1", or "" for
// none.
func reply(code int, enh string, format string, args ...any) Reply {
	r := Reply{Code: code, Text: []string{fmt.Sprintf(format, args...)}}
	if enh != "" {
		ec, rest, ok := proto.ParseEnhancedCode(enh)
		if !ok || rest != "" {
			panic("loopback: bad enhanced status code " + enh)
		}
		r.Enhanced = ec
	}
	return r
}

// write sends the reply: "code-text" for each line but the last, "code
// text" for the last (RFC 5321 §4.2.1).
func (r Reply) write(w *bufio.Writer) error {
	for i, t := range r.Text {
		sep := " "
		if i < len(r.Text)-1 {
			sep = "-"
		}
		w.WriteString(strconv.Itoa(r.Code))
		w.WriteString(sep)
		if !r.Enhanced.IsZero() {
			w.WriteString(r.Enhanced.String())
			w.WriteString(" ")
		}
		w.WriteString(t)
		if _, err := w.WriteString("\r\n"); err != nil {
			return err
		}
	}
	return nil
}

// closes reports whether the server closes the connection after sending
// the reply: RFC 5321 §3.8, a 421 ends the session.
func (r Reply) closes() bool { return r.Code == 421 }

func (r Reply) String() string {
	s := strconv.Itoa(r.Code)
	if !r.Enhanced.IsZero() {
		s += " " + r.Enhanced.String()
	}
	return s + " " + strings.Join(r.Text, " / ")
}
