package smtp

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
)

// The SMTP side's replies, in one place: their codes, enhanced codes and
// words. The words say what happened in terms a student of the protocol
// understands; the RFC sections say why the code is the right one.

// RFC 5321 §3.1, §4.3.1: the greeting.
func rGreeting(domain string) Reply {
	return reply(220, "", "%s ESMTP mailsh loopback server ready", domain)
}

// RFC 5321 §4.1.1.1: the answer to HELO, and the first line of the answer
// to EHLO.
func rHello(domain, helo string, ip string) Reply {
	return reply(250, "", "%s Hello %s [%s], pleased to meet you", domain, helo, ip)
}

// RFC 5321 §4.1.1.10, §3.8.
func rBye(domain string) Reply {
	return reply(221, "2.0.0", "%s closing connection, goodbye", domain)
}

// RFC 5321 §3.8: a server shutting down answers 421 and closes.
func rShuttingDown(domain string) Reply {
	return reply(421, "4.3.2", "%s Service shutting down, closing the connection; try again later", domain)
}

// RFC 5321 §4.5.3.2.7: a server may close a connection that stays idle
// past its timeout, with 421.
func rIdle(domain string, d time.Duration) Reply {
	return reply(421, "4.4.2", "%s Idle for more than %s, closing the connection", domain, d)
}

// RFC 5321 §3.8 and §4.2.2: 421 when the server cannot take the session.
func rTooManyConnections(domain string, max int) Reply {
	return reply(421, "4.7.0", "%s Too many connections (at most %d at once), try again later", domain, max)
}

// rRefused says which connection limit a client met.
func rRefused(domain string, r *loopback.Refusal) Reply {
	if r.PerClient {
		return reply(421, "4.7.0", "%s Too many connections from %s (at most %d at once from one address), try again later", domain, r.Client, r.Max)
	}
	return rTooManyConnections(domain, r.Max)
}

// rTimeout is the 421 of RFC 5321 §4.5.3.2.7 for the limit a client met:
// silence, one command line sent too slowly, or a session too long.
func rTimeout(domain string, e loopback.Expiry, d time.Duration) Reply {
	switch e {
	case loopback.ExpiryLine:
		return reply(421, "4.4.2", "%s A command line took more than %s to arrive whole, closing the connection", domain, d)
	case loopback.ExpirySession:
		return reply(421, "4.4.2", "%s Session longer than %s, closing the connection; connect again", domain, d)
	}
	return rIdle(domain, d)
}

// RFC 5321 §4.1.1.9.
var rNoop = reply(250, "2.0.0", "OK, nothing done")

// RFC 5321 §4.1.1.5.
var rReset = reply(250, "2.0.0", "Reset: no message in progress now")

// RFC 5321 §3.5.3: 252 when the server will not say whether a mailbox
// exists, but will accept mail for it.
var rVrfy = reply(252, "2.0.0", "Cannot VRFY users, but will take a message and try to deliver it")

// RFC 5321 §3.5.2, §7.3: EXPN may be refused.
var rNoExpn = reply(502, "5.5.1", "EXPN is not available here: mailing lists are not disclosed")

// RFC 5321 §4.2.4: 500 for a command the server does not know.
func rUnknownCommand(verb string) Reply {
	return reply(500, "5.5.1", "Command %q not recognized; HELP lists the commands", loopback.Shorten(verb, 32))
}

// RFC 5321 §4.5.3.1.9: "500 Line too long".
func rLineTooLong(max int) Reply {
	return reply(500, "5.5.2", "Line too long: at most %d characters per line, including CRLF", max)
}

// RFC 5321 §4.1.4: 503 for a command out of sequence.
func rBadSequence(verb string, st proto.State) Reply {
	return reply(503, "5.5.1", "Bad sequence of commands: %s is not valid now (%s)", verb, st.Describe())
}

// RFC 5321 §3.1: after a 554 greeting, only QUIT.
var rRejectedSession = reply(503, "5.5.1", "This server refused the session at connect (554): only QUIT is accepted")

// RFC 5321 §4.2.2: 501 for a syntax error in the arguments.
func rSyntax(cmd *proto.Command) Reply {
	if cmd.Syntax == "" {
		return reply(501, "5.5.4", "Syntax: %s takes no argument", cmd.Name)
	}
	return reply(501, "5.5.4", "Syntax: %s %s", cmd.Name, cmd.Syntax)
}

// RFC 5321 §2.2.1: extensions are in force only after EHLO.
func rNeedsEHLO(verb string) Reply {
	return reply(502, "5.5.1", "%s is an ESMTP extension: say EHLO, not HELO, to use it", verb)
}

// RFC 5321 §4.1.1.2.
func rSenderOK(from string) Reply {
	return reply(250, "2.1.0", "Sender <%s> OK", from)
}

// RFC 5321 §4.1.1.3.
func rRecipientOK(addr, account string) Reply {
	return reply(250, "2.1.5", "Recipient <%s> OK, for the mailbox of %s", addr, account)
}

// rRecipientCaught: a catch-all takes an address that has no mailbox of
// its own.
func rRecipientCaught(addr, account string) Reply {
	return reply(250, "2.1.5", "Recipient <%s> OK, caught by the catch-all: for the mailbox of %s", addr, account)
}

// RFC 5321 §4.1.1.3, RFC 3463 5.1.1: no such mailbox.
func rNoSuchUser(addr string) Reply {
	return reply(550, "5.1.1", "No mailbox here for <%s>: no such user", addr)
}

// RFC 5321 §3.6.2, RFC 3463 5.7.1: relaying is refused.
func rRelayDenied(addr, domain string) Reply {
	return reply(550, "5.7.1", "Relaying denied: this server takes mail only for @%s, not for <%s> (it is not an open relay)", domain, addr)
}

// RFC 5321 §4.5.3.1.10: 452 for recipients past the limit.
func rTooManyRecipients(max int) Reply {
	return reply(452, "4.5.3", "Too many recipients: at most %d per message; send the rest in another message", max)
}

// RFC 5321 §4.5.3.1.9: "501 Path too long"; RFC 3463 5.1.3 (recipient)
// and 5.1.7 (sender) for bad address syntax.
func rBadAddress(enh, why string) Reply {
	return reply(501, enh, "Bad address: %s", why)
}

// RFC 6531 §3.4, §3.6: non-ASCII addresses need SMTPUTF8 on MAIL.
var rNeedsUTF8 = reply(553, "5.6.7", "Non-ASCII address: give SMTPUTF8 on MAIL FROM to use one")

// RFC 1870 §6.1.
func rDeclaredTooBig(max int64) Reply {
	return reply(552, "5.3.4", "Message size exceeds fixed maximum message size of %d octets", max)
}

// RFC 1870 §6.3: the message turned out bigger than the limit.
func rTooBig(max int64) Reply {
	return reply(552, "5.3.4", "Message too big: more than %d octets; nothing was delivered", max)
}

// RFC 5321 §4.1.1.11, RFC 1869 §6: an unknown MAIL or RCPT parameter.
func rBadParam(p string) Reply {
	return reply(555, "5.5.4", "Parameter %s not recognized or not implemented", loopback.Shorten(p, 40))
}

// RFC 5321 §4.1.1.4: the intermediate reply to DATA. RFC 2034 §4 gives
// enhanced codes to 2xx, 4xx and 5xx replies only.
var rStartData = reply(354, "", "Start mail input; end with <CRLF>.<CRLF>")

// RFC 5321 §4.2.5: 250 once the message is safely stored.
func rDelivered(id string, accounts []string) Reply {
	return reply(250, "2.0.0", "%s Message accepted: delivered to the mailbox of %s", id, strings.Join(accounts, ", "))
}

// RFC 3030 §2: each BDAT chunk but the last gets a 250.
func rChunkOK(n, total int64) Reply {
	return reply(250, "2.0.0", "%d octets received, %d so far; send more, or BDAT n LAST", n, total)
}

// RFC 3030 §2: the size is needed to find the chunk's end.
var rBadChunk = reply(501, "5.5.4", "Syntax: BDAT <chunk-size> [LAST]; without a size the end of the chunk cannot be found, so the connection closes")

// RFC 5321 §4.2.2: 451 for a local error, 452 when storage ran out.
func rStoreFailed(err error) Reply {
	if se, ok := err.(*loopback.StoreError); ok && se.NoSpace() {
		return reply(452, "4.3.1", "Insufficient system storage: the mailbox disk is full; nothing was delivered, try again later")
	}
	return reply(451, "4.3.0", "Local error in processing: the message could not be stored; nothing was delivered, try again later")
}

// RFC 5321 §4.5.3.1.9: a text line over the limit.
func rTextLineTooLong(max int) Reply {
	return reply(500, "5.5.2", "Line too long: the message has a line longer than %d octets with CRLF (RFC 5321 §4.5.3.1.6); nothing was delivered", max)
}

// RFC 3207 §4.
var (
	rReadyTLS    = reply(220, "2.0.0", "Ready to start TLS")
	rTLSActive   = reply(503, "5.5.1", "TLS is already active")
	rTLSNotAvail = reply(454, "4.7.0", "TLS not available: this server has no certificate")
)

// RFC 4954 §4, §6.
var (
	rAuthOK          = reply(235, "2.7.0", "Authentication succeeded")
	rAuthFailed      = reply(535, "5.7.8", "Authentication credentials invalid: wrong user name or password")
	rAuthCancelled   = reply(501, "5.0.0", "Authentication cancelled")
	rAuthBadBase64   = reply(501, "5.5.2", "Cannot decode the response: it is not base64")
	rAuthAgain       = reply(503, "5.5.1", "Already authenticated: AUTH is allowed once per session")
	rAuthNeedsTLS    = reply(538, "5.7.11", "Encryption required for requested authentication mechanism: use STARTTLS first")
	rAuthTooMany     = reply(421, "4.7.0", "Too many failed authentication attempts, closing the connection")
	rAuthLineTooLong = reply(500, "5.5.6", "Authentication exchange line is too long")
)

// rAuthOKClear says that AUTH succeeded without TLS, and what crossed the
// connection readable by anyone on the path.
func rAuthOKClear(mech string) Reply {
	return reply(235, "2.7.0", "Authentication succeeded; note %s", loopback.ClearTextNote(mech))
}

// RFC 4954 §4: 504 for a mechanism the server does not offer.
func rAuthUnknownMech(mech string) Reply {
	return reply(504, "5.5.4", "Unrecognized authentication mechanism %q: use PLAIN, LOGIN or CRAM-MD5", loopback.Shorten(mech, 20))
}

// RFC 5321 §4.1.1.8: HELP.
func rHelp(lines []string) Reply {
	r := reply(214, "2.0.0", "")
	r.Text = lines
	return r
}

// RFC 5321 §4.2.2: 504, a parameter (the topic) not implemented.
func rHelpUnknown(topic string) Reply {
	return reply(504, "5.5.1", "No help for %q: HELP lists the commands", loopback.Shorten(topic, 32))
}

// faultText is what a fault reply says when its rule gives no text.
func faultText(code int, point string) (enh, text string) {
	switch {
	case code == 421:
		return "4.3.2", "Service not available, closing the connection"
	case code == 450:
		return "4.2.1", "Mailbox unavailable right now (busy), try again later"
	case code == 451:
		return "4.3.0", "Local error in processing, try again later"
	case code == 452 && point == "rcpt":
		return "4.5.3", "Too many recipients, send the rest later"
	case code == 452:
		return "4.3.1", "Insufficient system storage, try again later"
	case code == 454 && point == "auth":
		return "4.7.0", "Temporary authentication failure, try again later"
	case code == 454:
		return "4.7.0", "TLS not available now, try again later"
	case code == 550 && point == "rcpt":
		return "5.1.1", "No such user here"
	case code == 550:
		return "5.7.1", "Refused by policy"
	case code == 552:
		return "5.3.4", "Message too big"
	case code == 554 && point == "connect":
		return "5.3.2", "No SMTP service here"
	case code == 502:
		return "5.5.1", "Command not implemented"
	case code == 555:
		return "5.5.4", "Parameter not recognized or not implemented"
	}
	return fmt.Sprintf("%d.0.0", code/100), upperFirst(smtp.ExplainCode(code))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
