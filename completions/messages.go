package completions

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/mailsh/mailsh/proto"
)

func sizeHint(m proto.MessageInfo) string {
	if m.Size < 0 {
		return "size not known yet"
	}
	return fmt.Sprintf("%d octets", m.Size)
}

// numbersWithPrefix returns the messages whose number, written in
// decimal, begins with prefix. A mailbox can hold thousands, listed by
// number: the numbers beginning with "99" are 99, 990 to 999, 9900 to
// 9999 and so on, each range found by binary search rather than by
// writing out every number.
func numbersWithPrefix(msgs []proto.MessageInfo, prefix string) []proto.MessageInfo {
	if prefix == "" {
		return msgs
	}
	v, err := strconv.Atoi(prefix)
	if err != nil || v <= 0 || prefix[0] < '1' || prefix[0] > '9' || len(msgs) == 0 {
		return nil // numbers are written without signs or leading zeros
	}
	type span struct{ from, to int }
	var spans []span
	n := 0
	last := msgs[len(msgs)-1].Num
	for lo, hi := v, v; lo <= last; lo, hi = lo*10, hi*10+9 {
		from, _ := slices.BinarySearchFunc(msgs, lo, func(m proto.MessageInfo, n int) int { return m.Num - n })
		to, _ := slices.BinarySearchFunc(msgs, hi+1, func(m proto.MessageInfo, n int) int { return m.Num - n })
		spans = append(spans, span{from, to})
		n += to - from
		if lo > last/10 {
			break
		}
	}
	out := make([]proto.MessageInfo, 0, n)
	for _, s := range spans {
		out = append(out, msgs[s.from:s.to]...)
	}
	return out
}
