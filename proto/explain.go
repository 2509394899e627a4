package proto

import (
	"fmt"
	"strconv"
)

// smtpCodes explains the reply codes of RFC 5321 §4.2.2 and §4.2.3, with
// those added by extensions (RFC 4954 AUTH, RFC 3207 STARTTLS).
var smtpCodes = map[int]string{
	211: "system status or help reply",
	214: "help message for a human reader",
	220: "service ready: the server greets you (or is ready to start TLS)",
	221: "service closing the connection: goodbye",
	235: "authentication succeeded (RFC 4954)",
	250: "requested action okay, completed",
	251: "user not local; the server will forward the message",
	252: "cannot verify the user, but will accept the message and try to deliver it",
	334: "server challenge: send the next SASL response, base64-encoded (RFC 4954)",
	354: "start mail input: send the message, end it with a line holding only \".\"",
	421: "service not available, closing the connection (try again later)",
	432: "a password transition is needed (RFC 4954)",
	450: "mailbox unavailable right now (busy, or greylisted): try again later",
	451: "local error in processing: aborted, try again later",
	452: "insufficient system storage, or too many recipients: try again later",
	454: "temporary authentication failure, or TLS not available now",
	455: "server unable to accommodate the parameters now",
	500: "syntax error: command not recognised, or line too long",
	501: "syntax error in the command's parameters or arguments",
	502: "command not implemented",
	503: "bad sequence of commands: this command is not valid here",
	504: "command parameter not implemented",
	530: "authentication or encryption required: AUTH (RFC 4954) or STARTTLS (RFC 3207 §4) first",
	534: "authentication mechanism too weak (RFC 4954)",
	535: "authentication credentials invalid (RFC 4954)",
	538: "encryption required for this authentication mechanism (RFC 4954)",
	550: "mailbox unavailable (not found, no access, or refused by policy)",
	551: "user not local; try the forward-path given",
	552: "exceeded storage allocation: the message is too big",
	553: "mailbox name not allowed (bad syntax)",
	554: "transaction failed (at connect: no SMTP service here)",
	555: "MAIL or RCPT parameters not recognised or not implemented",
}

// smtpClasses explain a code's first digit (RFC 5321 §4.2.1).
var smtpClasses = map[int]string{
	1: "positive preliminary (not used by SMTP)",
	2: "positive completion: done",
	3: "positive intermediate: go on, send more",
	4: "transient negative: failed this time, may work if retried",
	5: "permanent negative: failed, do not retry as is",
}

// enhancedSubjects and enhancedDetails explain RFC 3463 §3 and §4.
var enhancedClasses = map[int]string{
	2: "success", 4: "persistent transient failure", 5: "permanent failure",
}

var enhancedSubjects = map[int]string{
	0: "other or undefined status", 1: "addressing", 2: "mailbox", 3: "mail system",
	4: "network and routing", 5: "mail delivery protocol", 6: "message content or media",
	7: "security or policy",
}

var enhancedDetails = map[[2]int]string{
	{0, 0}: "other undefined status",
	{1, 0}: "other address status", {1, 1}: "bad destination mailbox address (no such user)",
	{1, 2}: "bad destination system address", {1, 3}: "bad destination mailbox address syntax",
	{1, 4}: "destination mailbox address ambiguous", {1, 5}: "destination address valid",
	{1, 6}: "destination mailbox has moved", {1, 7}: "bad sender's mailbox address syntax",
	{1, 8}: "bad sender's system address", {1, 10}: "recipient address has null MX",
	{2, 0}: "other or undefined mailbox status", {2, 1}: "mailbox disabled, not accepting messages",
	{2, 2}: "mailbox full", {2, 3}: "message length exceeds administrative limit",
	{2, 4}: "mailing list expansion problem",
	{3, 0}: "other or undefined mail system status", {3, 1}: "mail system full",
	{3, 2}: "system not accepting network messages", {3, 3}: "system not capable of selected features",
	{3, 4}: "message too big for system", {3, 5}: "system incorrectly configured",
	{4, 0}: "other or undefined network or routing status", {4, 1}: "no answer from host",
	{4, 2}: "bad connection", {4, 3}: "directory server failure", {4, 4}: "unable to route",
	{4, 5}: "mail system congestion", {4, 6}: "routing loop detected", {4, 7}: "delivery time expired",
	{5, 0}: "other or undefined protocol status", {5, 1}: "invalid command",
	{5, 2}: "syntax error", {5, 3}: "too many recipients", {5, 4}: "invalid command arguments",
	{5, 5}: "wrong protocol version", {5, 6}: "authentication exchange line too long",
	{6, 0}: "other or undefined media error", {6, 1}: "media not supported",
	{6, 2}: "conversion required and prohibited", {6, 3}: "conversion required but not supported",
	{6, 7}: "non-ASCII addresses not permitted for that sender/recipient (RFC 6531)",
	{7, 0}: "other or undefined security status", {7, 1}: "delivery not authorized, message refused",
	{7, 2}: "mailing list expansion prohibited", {7, 3}: "security conversion required but not possible",
	{7, 4}: "security features not supported", {7, 5}: "cryptographic failure",
	{7, 7}: "message integrity failure", {7, 8}: "authentication credentials invalid",
	{7, 9}: "authentication mechanism is too weak", {7, 10}: "encryption needed",
	{7, 11}: "encryption required for requested authentication mechanism",
	{7, 12}: "a password transition is needed", {7, 13}: "user account disabled",
	{7, 14}: "trust relationship required",
}

// Explain says in words what a reply means: its code or indicator, its
// enhanced status code and its POP3 response code.
func Explain(r *Reply) string { return r.Proto.Spec().Explain(r) }

// explainSMTP explains a reply code and its enhanced code.
func explainSMTP(r *Reply) string {
	s := ExplainSMTPCode(r.Code)
	if !r.Enhanced.IsZero() {
		s += "; " + r.Enhanced.String() + " " + ExplainEnhanced(r.Enhanced)
	}
	return s
}

// ExplainSMTPCode explains an SMTP reply code, falling back on the meaning
// of its first digit for a code RFC 5321 does not list.
func ExplainSMTPCode(code int) string {
	if s, ok := smtpCodes[code]; ok {
		return s
	}
	if s, ok := smtpClasses[code/100]; ok {
		return s
	}
	return "not a reply code SMTP defines"
}

// ExplainEnhanced explains an RFC 3463 enhanced status code.
func ExplainEnhanced(e EnhancedCode) string {
	cls := enhancedClasses[e.Class]
	if d, ok := enhancedDetails[[2]int{e.Subject, e.Detail}]; ok {
		return cls + ": " + d
	}
	if s, ok := enhancedSubjects[e.Subject]; ok {
		return cls + ": " + s
	}
	return cls
}

// ExplainCode explains a code typed by a person, as one of the Builtin
// protocols: an SMTP code ("550"), an enhanced code ("5.1.1"), both ("550
// 5.1.1"), a POP3 indicator or response code ("-ERR", "IN-USE").
func ExplainCode(s string) (string, error) { return Builtin.ExplainCode(s) }

// explainSMTPWord explains a reply code or an enhanced status code.
func explainSMTPWord(f string) (string, bool) {
	if n, err := strconv.Atoi(f); err == nil && len(f) == 3 && n >= 100 && n < 600 {
		return fmt.Sprintf("%d: %s (%s)", n, ExplainSMTPCode(n), smtpClasses[n/100]), true
	}
	if e, rest, ok := ParseEnhancedCode(f); ok && rest == "" {
		return e.String() + ": " + ExplainEnhanced(e) + " (RFC 3463)", true
	}
	return "", false
}
