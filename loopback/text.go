package loopback

import "strings"

// ClearTextNote says what a SASL login without TLS exposed: only the user
// name and a digest for CRAM-MD5 (RFC 2195 §2), the credentials for the
// others.
func ClearTextNote(mech string) string {
	if mech == "CRAM-MD5" {
		return DigestNote(mech)
	}
	return "that your credentials crossed the connection in clear text (no TLS)"
}

// DigestNote says what a login without TLS by a digest of the password
// (mech) exposed: the user name alone.
func DigestNote(mech string) string {
	return "that this was without TLS: your user name crossed the connection in clear text (" + mech + " kept the password itself hidden)"
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
