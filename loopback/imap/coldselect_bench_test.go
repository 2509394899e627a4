package imap

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkColdSelect: the first SELECT of a folder whose 10,000
// messages are all in new/ (as deliveries leave them), until its
// listing is given (answer: UIDs given, the first batch moved) and until
// every message has been moved to cur/ and the folder listed again
// (moved).
func BenchmarkColdSelect(b *testing.B) {
	fill := func(b *testing.B) string {
		b.Helper()
		dir := filepath.Join(b.TempDir(), "Maildir")
		if err := ensureMaildir(dir); err != nil {
			b.Fatal(err)
		}
		for i := range 10000 {
			name := fmt.Sprintf("1700000000.M%06dP1Q%d.bench,S=4096,W=4150", i, i)
			if err := os.WriteFile(filepath.Join(dir, "new", name), nil, 0o600); err != nil {
				b.Fatal(err)
			}
		}
		return dir
	}
	b.Run("answer", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir, s := fill(b), &Server{}
			b.StartTimer()
			if msgs, _, _, _, err := s.listing(dir, true, lookConfirm, 0); err != nil || len(msgs) != 10000 {
				b.Fatal(len(msgs), err)
			}
			b.StopTimer()
			s.waitMoves(dir)
			b.StartTimer()
		}
	})
	b.Run("moved", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir, s := fill(b), &Server{}
			b.StartTimer()
			if msgs, _, _, err := s.scan(dir, true); err != nil || len(msgs) != 10000 {
				b.Fatal(len(msgs), err)
			}
		}
	})
}
