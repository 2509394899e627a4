package completions

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
)

// numbersWithPrefix finds what writing every number out finds, with gaps
// (deleted messages) in the list.
func TestNumbersWithPrefix(t *testing.T) {
	var msgs []proto.MessageInfo
	for n := 1; n <= 12345; n++ {
		if n%7 != 3 {
			msgs = append(msgs, proto.MessageInfo{Num: n})
		}
	}
	for _, p := range []string{"", "1", "9", "12", "99", "123", "1234", "12345", "123456", "0", "01", "x", "-1", "7"} {
		var want []int
		for _, m := range msgs {
			if strings.HasPrefix(strconv.Itoa(m.Num), p) {
				want = append(want, m.Num)
			}
		}
		got := numbersWithPrefix(msgs, p)
		if len(got) != len(want) {
			t.Fatalf("prefix %q: %d numbers, want %d", p, len(got), len(want))
		}
		seen := map[int]bool{}
		for _, m := range got {
			seen[m.Num] = true
		}
		for _, n := range want {
			if !seen[n] {
				t.Fatalf("prefix %q: %d missing", p, n)
			}
		}
	}
}
