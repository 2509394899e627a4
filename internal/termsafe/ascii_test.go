package termsafe

import "testing"

// printableASCII stops at the word holding the first byte that is not
// printable ASCII, for every such byte at every position.
func TestPrintableASCII(t *testing.T) {
	slow := func(s string) int {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x7f {
				return i / 8 * 8
			}
		}
		return len(s) / 8 * 8
	}
	base := []byte("The quick brown fox jumps over the lazy dog ~!")
	for c := 0; c < 256; c++ {
		for pos := 0; pos < len(base); pos++ {
			b := append([]byte(nil), base...)
			b[pos] = byte(c)
			if got, want := printableASCII(string(b)), slow(string(b)); got != want {
				t.Fatalf("byte %#x at %d: got %d, want %d", c, pos, got, want)
			}
		}
	}
}
