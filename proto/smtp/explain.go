package smtp

import (
	"fmt"
	"strconv"

	"github.com/mailsh/mailsh/proto"
)

// codes explains the reply codes of RFC 5321 §4.2.2 and §4.2.3, with
// those added by extensions (RFC 4954 AUTH, RFC 3207 STARTTLS).
var codes = map[int]string{
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

// classes explain a code's first digit (RFC 5321 §4.2.1).
var classes = map[int]string{
	1: "positive preliminary (not used by SMTP)",
	2: "positive completion: done",
	3: "positive intermediate: go on, send more",
	4: "transient negative: failed this time, may work if retried",
	5: "permanent negative: failed, do not retry as is",
}

// explain explains a reply code and its enhanced code.
func explain(r *proto.Reply) string {
	s := ExplainCode(r.Code)
	if !r.Enhanced.IsZero() {
		s += "; " + r.Enhanced.String() + " " + proto.ExplainEnhanced(r.Enhanced)
	}
	return s
}

// ExplainCode explains an SMTP reply code, falling back on the meaning
// of its first digit for a code RFC 5321 does not list.
func ExplainCode(code int) string {
	if s, ok := codes[code]; ok {
		return s
	}
	if s, ok := classes[code/100]; ok {
		return s
	}
	return "not a reply code SMTP defines"
}

// explainWord explains a reply code or an enhanced status code.
func explainWord(f string) (string, bool) {
	if n, err := strconv.Atoi(f); err == nil && len(f) == 3 && n >= 100 && n < 600 {
		return fmt.Sprintf("%d: %s (%s)", n, ExplainCode(n), classes[n/100]), true
	}
	if e, rest, ok := proto.ParseEnhancedCode(f); ok && rest == "" {
		return e.String() + ": " + proto.ExplainEnhanced(e) + " (RFC 3463)", true
	}
	return "", false
}
