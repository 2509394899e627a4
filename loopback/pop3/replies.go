package pop3

import "github.com/mailsh/mailsh/loopback"

// The POP3 side's replies, in one place. RFC 1939 has only +OK and -ERR;
// the bracketed response codes of RFC 2449 §8 (IN-USE, LOGIN-DELAY) and
// RFC 3206 (SYS/TEMP, SYS/PERM, AUTH) tell a client what kind of failure
// it met.

// RFC 1939 §4, §7: the greeting, with the APOP timestamp.
func pGreeting(domain, stamp string) pop3Reply {
	return okReply("%s mailsh POP3 loopback server ready %s", domain, stamp)
}

// RFC 3206 §4: SYS/TEMP, a temporary problem on the server's side.
func pTooManyConnections(max int) pop3Reply {
	return errReply("SYS/TEMP", "Too many connections (at most %d at once), try again later", max)
}

// pRefused says which connection limit a client met.
func pRefused(r *loopback.Refusal) pop3Reply {
	if r.PerClient {
		return errReply("SYS/TEMP", "Too many connections from %s (at most %d at once from one address), try again later", r.Client, r.Max)
	}
	return pTooManyConnections(r.Max)
}

var (
	pShuttingDown = errReply("SYS/TEMP", "Server shutting down, try again later")
	pLineTooLong  = errReply("", "Line too long")
	pNoop         = okReply("")
	pCapa         = okReply("Capability list follows")
	pBadNumber    = errReply("", "Give a message number, as in RETR 1")
	// RFC 5034 §4: "*" cancels an exchange.
	pAuthCancelled = errReply("", "Authentication cancelled")
	pAuthBadBase64 = errReply("", "Cannot decode the response: it is not base64")
	// RFC 3206 §4: [AUTH] means the credentials were wrong.
	pAuthFailed  = errReply("AUTH", "Invalid user name or password")
	pAuthTooMany = errReply("AUTH", "Too many failed logins, closing the connection")
	pNeedsTLS    = errReply("AUTH", "Logging in without TLS is refused here: use STLS first")
	pTLSReady    = okReply("Begin TLS negotiation")
	pTLSActive   = errReply("", "TLS is already active")
	pTLSNotAvail = errReply("SYS/PERM", "TLS not available: this server has no certificate")
	pAuthList    = okReply("Mechanisms follow")
)

// RFC 1939 §3: -ERR for a command the server does not know or that is not
// valid in the current state.
func pUnknownCommand(verb string) pop3Reply {
	return errReply("", "Unknown command %q; CAPA lists the extensions, RFC 1939 the rest", loopback.Shorten(verb, 32))
}

func pBadSequence(verb, state string) pop3Reply {
	return errReply("", "%s is not valid now (%s)", verb, state)
}

func pSyntax(name, syntax string) pop3Reply {
	if syntax == "" {
		return errReply("", "Syntax: %s takes no argument", name)
	}
	return errReply("", "Syntax: %s %s", name, syntax)
}

func pUserOK(name string) pop3Reply {
	return okReply("Send PASS for %s", loopback.Shorten(name, 64))
}

// RFC 1939 §7: the reply to PASS and APOP gives the maildrop's size.
// Without TLS it says what crossed the connection in clear text.
func pLoggedIn(account string, n int, size int64, clear bool, mech string) pop3Reply {
	r := okReply("Logged in as %s: %d messages (%d octets)", account, n, size)
	if clear {
		r.text += "; note " + clearNote(mech)
	}
	return r
}

// pLoggedInLarge answers a login to a large maildrop, before it is listed.
func pLoggedInLarge(account string, clear bool, mech string) pop3Reply {
	r := okReply("Logged in as %s: a large mailbox, STAT counts it", account)
	if clear {
		r.text += "; note " + clearNote(mech)
	}
	return r
}

// RFC 2449 §8.1.1.
func pInUse(account string) pop3Reply {
	return errReply("IN-USE", "The mailbox of %s is in use by another session, try again later", account)
}

func pMaildropFailed() pop3Reply {
	return errReply("SYS/TEMP", "Cannot open the mailbox, try again later")
}

// RFC 1939 §5: STAT's reply is exactly "+OK nn mm".
func pStat(n int, size int64) pop3Reply { return okReply("%d %d", n, size) }

func pListing(n int, size int64) pop3Reply {
	return okReply("%d messages (%d octets)", n, size)
}

// RFC 1939 §5: DELE marks; the message goes in the UPDATE state.
func pDeleted(n int) pop3Reply { return okReply("Message %d deleted (at QUIT)", n) }

func pAlreadyDeleted(n int) pop3Reply { return errReply("", "Message %d already deleted", n) }

func pMessageGone(n int) pop3Reply {
	return errReply("SYS/TEMP", "Message %d was removed by another program", n)
}

// RFC 1939 §5: RETR's "+OK" may give the size, as the RFC's example does.
func pOctets(size int64) pop3Reply { return okReply("%d octets", size) }

func pReset(n int, size int64) pop3Reply {
	return okReply("Deletion marks removed: %d messages (%d octets)", n, size)
}

// RFC 1939 §6.
func pSignOff(domain string, deleted, left int) pop3Reply {
	return okReply("%s POP3 server signing off (%d messages deleted, %d left)", domain, deleted, left)
}

var pBye = okReply("Goodbye")

// RFC 1939 §6: "-ERR some deleted messages not removed".
func pRemoveFailed(n int) pop3Reply {
	return errReply("SYS/TEMP", "Some deleted messages not removed (%d)", n)
}

// pReadOnlyMaildrop: RFC 1939 §6 lets QUIT fail to remove; a Maildir that
// cannot be written will not let them go later either (RFC 2449 §8.1.2).
func pReadOnlyMaildrop(n, of int) pop3Reply {
	return errReply("SYS/PERM", "Some deleted messages not removed (%d of %d): the mailbox is read-only, and they are still in it", n, of)
}

func pUnknownMech(mech string) pop3Reply {
	return errReply("", "Unrecognized authentication mechanism %q: use PLAIN, LOGIN or CRAM-MD5", loopback.Shorten(mech, 20))
}

// clearNote says what a login without TLS exposed: the password itself
// for USER/PASS, only the user name and a digest for APOP (RFC 1939 §7),
// and for a SASL mechanism what loopback.ClearTextNote says.
func clearNote(mech string) string {
	switch mech {
	case "APOP":
		return loopback.DigestNote(mech)
	case "USER/PASS":
		return "that your password crossed the connection in clear text (no TLS)"
	}
	return loopback.ClearTextNote(mech)
}
