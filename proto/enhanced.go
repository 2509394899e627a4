package proto

import (
	"fmt"
	"strconv"
)

// EnhancedCode is an RFC 3463 enhanced mail system status code,
// class.subject.detail, such as 5.1.1. The zero value means none.
type EnhancedCode struct {
	Class, Subject, Detail int
}

// IsZero reports whether the code is absent.
func (e EnhancedCode) IsZero() bool { return e.Class == 0 }

func (e EnhancedCode) String() string {
	if e.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", e.Class, e.Subject, e.Detail)
}

// ParseEnhancedCode parses the enhanced status code at the start of text,
// as RFC 2034 §4 places it after the reply code. It returns the code and
// the rest of the text after the separating space. RFC 3463 §2:
// status-code = class "." subject "." detail; class = "2" / "4" / "5";
// subject and detail are 1 to 3 digits.
func ParseEnhancedCode(text string) (EnhancedCode, string, bool) {
	var parts [3]int
	i := 0
	for p := 0; p < 3; p++ {
		j := i
		for j < len(text) && j-i < 4 && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		n := j - i
		if n == 0 || n > 3 || (p == 0 && n != 1) {
			return EnhancedCode{}, text, false
		}
		parts[p], _ = strconv.Atoi(text[i:j])
		i = j
		if p < 2 {
			if i >= len(text) || text[i] != '.' {
				return EnhancedCode{}, text, false
			}
			i++
		}
	}
	if c := parts[0]; c != 2 && c != 4 && c != 5 {
		return EnhancedCode{}, text, false
	}
	rest := text[i:]
	switch {
	case rest == "":
	case rest[0] == ' ':
		rest = rest[1:]
	default:
		return EnhancedCode{}, text, false
	}
	return EnhancedCode{parts[0], parts[1], parts[2]}, rest, true
}
