package loopback

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// fillMaildrop puts n empty files named as deliveries name them into an
// account's new/ (the sizes are in the names; listing reads no file).
func fillMaildrop(tb testing.TB, s *Store, account string, n int) {
	tb.Helper()
	dir := filepath.Join(s.Maildir(account), "new")
	t0 := time.Unix(1700000000, 0)
	for i := range n {
		name := sizedName(s.uniqueName(t0.Add(time.Duration(i)*time.Millisecond)), 4096, 4160)
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkScanMaildrop measures what a POP3 login costs beyond the
// password: listing the maildrop.
func BenchmarkScanMaildrop(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, err := OpenStore(b.TempDir(), []string{"a"})
			if err != nil {
				b.Fatal(err)
			}
			fillMaildrop(b, s, "a", n)
			b.ReportAllocs()
			for b.Loop() {
				msgs, err := s.ScanMaildrop("a")
				if err != nil || len(msgs) != n {
					b.Fatal(len(msgs), err)
				}
			}
		})
	}
}
