package imap

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// statuses explain IMAP's status responses (RFC 9051 §7.1).
var statuses = map[string]string{
	"OK":      "the command completed",
	"NO":      "the command failed: the server understood it but could not or would not do it",
	"BAD":     "protocol error: the command is not valid (syntax, or not allowed in this state)",
	"PREAUTH": "the connection is already authenticated: no login needed",
	"BYE":     "the server is closing the connection",
	"+":       "the server waits for the rest of the command (a literal's octets, a SASL answer, or IDLE's DONE)",
}

// codes explain IMAP response codes: RFC 9051 §7.1 and RFC 5530.
var codes = map[string]string{
	"ALERT":                "a message the server says must be shown to you",
	"ALREADYEXISTS":        "a mailbox of that name exists already (RFC 5530)",
	"AUTHENTICATIONFAILED": "wrong user name or password, or the mechanism failed (RFC 5530)",
	"AUTHORIZATIONFAILED":  "you authenticated, but may not act as that user (RFC 5530)",
	"BADCHARSET":           "the SEARCH charset is not supported",
	"CANNOT":               "the server can never do this (a name it cannot store, say) (RFC 5530)",
	"CAPABILITY":           "the server's capabilities, listed without being asked",
	"CLIENTBUG":            "the command was odd: the server did it, but says your client is wrong (RFC 5530)",
	"CLOSED":               "the mailbox that was selected is closed now (RFC 7162)",
	"CONTACTADMIN":         "ask the server's administrator (RFC 5530)",
	"CORRUPTION":           "the server found damaged data (RFC 5530)",
	"EXPIRED":              "the password or account has expired (RFC 5530)",
	"EXPUNGEISSUED":        "another session expunged messages meanwhile (RFC 5530)",
	"HASCHILDREN":          "the mailbox has child mailboxes (RFC 9051)",
	"INUSE":                "someone else is using the mailbox or account: try again later (RFC 5530)",
	"LIMIT":                "a limit of the server was reached (RFC 5530)",
	"NONEXISTENT":          "there is no such mailbox (RFC 5530)",
	"NOPERM":               "you may not do this with this mailbox (RFC 5530)",
	"OVERQUOTA":            "over quota: delete mail or ask for more room (RFC 5530)",
	"PARSE":                "the server could not parse a message's header or MIME structure",
	"PERMANENTFLAGS":       "the flags that will stay on messages in this mailbox",
	"PRIVACYREQUIRED":      "this needs privacy: use TLS first (RFC 5530)",
	"READ-ONLY":            "the mailbox is open read-only (EXAMINE, or no write permission)",
	"READ-WRITE":           "the mailbox is open for changes",
	"SERVERBUG":            "the server failed on its own error: try again, or report it (RFC 5530)",
	"TRYCREATE":            "the target mailbox does not exist: CREATE it first",
	"UIDNEXT":              "the UID the next message will get",
	"UIDNOTSTICKY":         "UIDs in this mailbox do not survive a session",
	"UIDVALIDITY":          "the UID validity: if it changes, cached UIDs are void",
	"UNAVAILABLE":          "a subsystem is down right now: try again later (RFC 5530)",
	"UNKNOWN-CTE":          "the server cannot decode that Content-Transfer-Encoding (RFC 3516)",
	"UNSEEN":               "the first message not yet read",
	"APPENDUID":            "the UID validity and UID of the message appended (RFC 4315)",
	"COPYUID":              "the UIDs of the messages copied, old and new (RFC 4315)",
	"NOTSAVED":             "the search result was not saved (RFC 5182)",
	"HIGHESTMODSEQ":        "the highest modification sequence (RFC 7162)",
	"NOMODSEQ":             "the mailbox has no modification sequences (RFC 7162)",
	"MODIFIED":             "some messages changed meanwhile and were left alone (RFC 7162)",
	"COMPRESSIONACTIVE":    "compression is on already (RFC 4978)",
	"TOOBIG":               "the message is too big (RFC 4469, RFC 7889)",
}

// explain says what an IMAP status and its response code mean.
func explain(r *proto.Reply) string {
	s := statuses[r.Status]
	if r.RespCode != "" {
		code, _, _ := strings.Cut(strings.ToUpper(r.RespCode), " ")
		if e, ok := codes[code]; ok {
			s += "; [" + code + "] " + e
		}
	}
	return s
}

// explainWord explains a status or a response code typed after :explain.
func explainWord(w string) (string, bool) {
	up := strings.ToUpper(w)
	if e, ok := codes[up]; ok {
		return up + ": " + e + " (an IMAP response code)", true
	}
	if e, ok := statuses[up]; ok && w != "+" {
		return up + ": " + e + " (an IMAP status)", true
	}
	return "", false
}
