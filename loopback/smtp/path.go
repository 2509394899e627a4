package smtp

import (
	"strings"
)

// Path limits of RFC 5321 §4.5.3.1.1 to §4.5.3.1.3.
const (
	maxLocalPart = 64  // §4.5.3.1.1
	maxDomain    = 255 // §4.5.3.1.2
	maxPath      = 256 // §4.5.3.1.3, with the angle brackets
)

// parsePath reads the argument of MAIL ("FROM:<path> params") or RCPT
// ("TO:<path> params"), RFC 5321 §4.1.1.2 and §4.1.1.3. It is lenient
// where the lecture's Sendmail was: a space after the colon and a path
// without angle brackets are accepted. It returns the address ("" for the
// null path <>) and the parameters.
func parsePath(arg, keyword string) (addr string, params []string, bad *Reply) {
	enh := "5.1.7" // RFC 3463: bad sender's mailbox address syntax
	if keyword == "TO" {
		enh = "5.1.3" // bad destination mailbox address syntax
	}
	syntax := reply(501, "5.5.4", "Syntax: %s:<address>", map[string]string{"FROM": "MAIL FROM", "TO": "RCPT TO"}[keyword])
	if len(arg) < len(keyword)+1 || !strings.EqualFold(arg[:len(keyword)], keyword) || arg[len(keyword)] != ':' {
		return "", nil, &syntax
	}
	rest := strings.TrimLeft(arg[len(keyword)+1:], " ")
	var path string
	if strings.HasPrefix(rest, "<") {
		end := closingBracket(rest)
		if end < 0 {
			r := rBadAddress(enh, "the address has no closing \">\"")
			return "", nil, &r
		}
		path, rest = rest[1:end], rest[end+1:]
		if rest != "" && rest[0] != ' ' {
			return "", nil, &syntax
		}
	} else {
		path, rest, _ = strings.Cut(rest, " ")
		if path == "" {
			return "", nil, &syntax
		}
	}
	params = strings.Fields(rest)
	// RFC 5321 §4.1.2, Appendix C: a source route ("@a,@b:user@c") is
	// accepted and ignored.
	if strings.HasPrefix(path, "@") {
		if i := strings.IndexByte(path, ':'); i > 0 {
			path = path[i+1:]
		}
	}
	if len(path)+2 > maxPath {
		// RFC 5321 §4.5.3.1.9: "501 Path too long".
		r := rBadAddress(enh, "path too long (RFC 5321 §4.5.3.1.3 allows 256 characters)")
		return "", nil, &r
	}
	if path == "" {
		return "", params, nil
	}
	if why := checkAddress(path, keyword == "TO"); why != "" {
		r := rBadAddress(enh, why)
		return "", nil, &r
	}
	return path, params, nil
}

// closingBracket finds the ">" that ends a path, skipping quoted strings
// (RFC 5321 §4.1.2: a quoted local part may hold ">").
func closingBracket(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '>' && !quoted:
			return i
		}
	}
	return -1
}

// checkAddress says what is wrong with a mailbox (RFC 5321 §4.1.2), or "".
// A bare "postmaster" is a valid recipient (RFC 5321 §4.1.1.3).
func checkAddress(a string, rcpt bool) string {
	for _, c := range []byte(a) {
		if c < 0x20 || c == 0x7f {
			return "control characters are not allowed in an address"
		}
	}
	at := strings.LastIndexByte(a, '@')
	if at < 0 {
		if rcpt && strings.EqualFold(a, "postmaster") {
			return ""
		}
		return "an address is local-part@domain, as in <demo@localhost>"
	}
	local, domain := a[:at], a[at+1:]
	switch {
	case local == "":
		return "the part before \"@\" is empty"
	case len(local) > maxLocalPart:
		return "the part before \"@\" is longer than 64 characters (RFC 5321 §4.5.3.1.1)"
	case domain == "":
		return "the domain after \"@\" is empty"
	case len(domain) > maxDomain:
		return "the domain is longer than 255 characters (RFC 5321 §4.5.3.1.2)"
	case strings.HasPrefix(local, "\"") != strings.HasSuffix(local, "\"") || (local == "\""):
		return "unbalanced quotes in the part before \"@\""
	case !strings.HasPrefix(local, "\"") && strings.ContainsAny(local, " ()<>[]\\,;:\""):
		return "the part before \"@\" has characters that need quoting"
	case strings.HasPrefix(domain, "["):
		if !strings.HasSuffix(domain, "]") {
			return "an address literal is written [127.0.0.1]"
		}
	case strings.ContainsAny(domain, " ()<>[]\\,;:\"@") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, ".."):
		return "the domain is not a valid domain name"
	}
	return ""
}

// isASCII reports whether s is all ASCII; a non-ASCII address needs
// SMTPUTF8 (RFC 6531 §3.4).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
