package loopback_test

import (
	"testing"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// popSize counts what proto's DotWriter sends, once unstuffed, for any
// file, written in any pieces.
func TestPopSizeMatchesDotWriter(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "a", "a\r", "a\n", "a\r\n", "\n", "\r", "\r\r\n", ".\n..\r\n", "x\r\n.", "a\rb\nc", "\x00"} {
		for split := 0; split <= len(in); split++ {
			got := loopback.PopSize([]byte(in[:split]), []byte(in[split:]))
			want := len(servertest.DotUnstuffed(t, in))
			if got != int64(want) {
				t.Errorf("%q split at %d: popSize %d, DotWriter sends %d", in, split, got, want)
			}
		}
	}
}
