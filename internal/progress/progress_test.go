package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		total int64
		want  string
	}{
		{"small transfers draw nothing", MinSize - 1, ""},
		{"a large one ends full, on its own line", 2 * MinSize, "\rsending [==============================] 100% 2 MB\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			b := New(&out, tc.total, "sending ", func(int64) string { return "2 MB" })
			b.Write(make([]byte, tc.total))
			b.Done()
			if got := out.String(); !strings.HasSuffix(got, tc.want) || (tc.want == "" && got != "") {
				t.Fatalf("got %q, want it to end with %q", got, tc.want)
			}
		})
	}
}
