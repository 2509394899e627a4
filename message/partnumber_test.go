package message

import (
	"regexp"
	"strings"
	"testing"
)

// What ValidPartNumber accepts, checked against the grammar written as a
// regular expression.
func TestValidPartNumber(t *testing.T) {
	grammar := regexp.MustCompile(`^[1-9][0-9]{0,5}(\.[1-9][0-9]{0,5}){0,31}$`)
	cases := []string{
		"", "1", "2.1", "10.3.7", "999999", "1000000", "0", "01", "1.0", "1.01",
		"1.", ".1", "1..2", "a", "1.a", "1 ", "+1", "1.2.3.4.5.6.7.8.9.10",
		strings.Repeat("1.", 31) + "1", strings.Repeat("1.", 32) + "1", "１",
	}
	for _, s := range cases {
		if got, want := ValidPartNumber(s), grammar.MatchString(s); got != want {
			t.Errorf("ValidPartNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidPartNumber(f *testing.F) {
	grammar := regexp.MustCompile(`^[1-9][0-9]{0,5}(\.[1-9][0-9]{0,5}){0,31}$`)
	for _, s := range []string{"1", "2.1", "1.0", "01", strings.Repeat("9.", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidPartNumber(s), grammar.MatchString(s); got != want {
			t.Errorf("ValidPartNumber(%q) = %v, want %v", s, got, want)
		}
	})
}
