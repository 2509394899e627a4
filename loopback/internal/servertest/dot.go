package servertest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
)

// DotUnstuffed is what a client holds after proto's DotWriter sent in and
// the "." lines were undone.
func DotUnstuffed(t testing.TB, in string) []byte {
	var b bytes.Buffer
	w := proto.NewDotWriter(&b)
	if _, err := w.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	raw := strings.TrimSuffix(b.String(), ".\r\n")
	var out []byte
	for _, line := range strings.SplitAfter(raw, "\r\n") {
		out = append(out, strings.TrimPrefix(line, ".")...)
	}
	return out
}
