package imap

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkColdSelect: the first SELECT of a folder whose 10,000
// messages are all in new/ (as deliveries leave them): moving them to
// cur/, giving them UIDs, listing them.
func BenchmarkColdSelect(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
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
		s := &Server{}
		b.StartTimer()
		if msgs, _, _, err := s.scan(dir, true); err != nil || len(msgs) != 10000 {
			b.Fatal(len(msgs), err)
		}
	}
}
