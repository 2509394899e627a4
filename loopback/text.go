package loopback

import "strings"

// ClearTextNote says what a login without TLS exposed: the password itself
// for USER/PASS, PLAIN and LOGIN; only the user name and a digest for
// APOP and CRAM-MD5 (RFC 1939 §7, RFC 2195 §2).
func ClearTextNote(mech string) string {
	switch mech {
	case "CRAM-MD5", "APOP":
		return "that this was without TLS: your user name crossed the connection in clear text (" + mech + " kept the password itself hidden)"
	case "USER/PASS":
		return "that your password crossed the connection in clear text (no TLS)"
	}
	return "that your credentials crossed the connection in clear text (no TLS)"
}

// Shorten cuts client-supplied text for an echo in a reply.
func Shorten(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
