package message

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// fieldMeanings say in one line what each header field is for: the
// lecture's table ("To: destinatário(s); Cc: destinatário(s)
// secundário(s); Bcc: cópia «cega»; From: remetente; Sender: …;
// Received: agentes que transferiram a mensagem; Return-Path: caminho de
// regresso ao remetente") and the fields real messages carry. Keys are in
// lower case.
var fieldMeanings = map[string]string{
	// RFC 5322 §3.6: the originator, destination, identification,
	// informational and trace fields.
	"from":              "author(s): who wrote the message (RFC 5322 §3.6.2)",
	"sender":            "the agent that sent it on the author's behalf, when not the author (a secretary, a list) (RFC 5322 §3.6.2)",
	"reply-to":          "where replies should go instead of From (RFC 5322 §3.6.2)",
	"to":                "primary recipients (RFC 5322 §3.6.3)",
	"cc":                "secondary recipients, a carbon copy (RFC 5322 §3.6.3)",
	"bcc":               "blind carbon copy: recipients the others must not see; normally removed before sending (RFC 5322 §3.6.3)",
	"date":              "when the author's program dated the message (RFC 5322 §3.6.1)",
	"message-id":        "the message's unique identifier, made by the sender's program (RFC 5322 §3.6.4)",
	"in-reply-to":       "the Message-ID of the message this one answers (RFC 5322 §3.6.4)",
	"references":        "the Message-IDs of the conversation so far, for threading (RFC 5322 §3.6.4)",
	"subject":           "the topic (RFC 5322 §3.6.5)",
	"comments":          "free remarks about the message (RFC 5322 §3.6.5)",
	"keywords":          "words for searching (RFC 5322 §3.6.5)",
	"received":          "a server that handled it: from whom, when, how (added by each SMTP server, newest on top) (RFC 5321 §4.4)",
	"return-path":       "where bounces go: the envelope sender (MAIL FROM), written at final delivery (RFC 5321 §4.4)",
	"resent-from":       "who resent (forwarded) the message unchanged (RFC 5322 §3.6.6)",
	"resent-to":         "recipients of a resent message (RFC 5322 §3.6.6)",
	"resent-cc":         "secondary recipients of a resent message (RFC 5322 §3.6.6)",
	"resent-date":       "when the message was resent (RFC 5322 §3.6.6)",
	"resent-sender":     "the agent that resent the message (RFC 5322 §3.6.6)",
	"resent-message-id": "identifier of the resending (RFC 5322 §3.6.6)",
	// MIME, RFC 2045, 2183.
	"mime-version":              "the message uses MIME (always 1.0) (RFC 2045 §4)",
	"content-type":              "what the body is: media type, charset, multipart boundary (RFC 2045 §5)",
	"content-transfer-encoding": "how the body was made 7-bit safe: 7bit, 8bit, quoted-printable, base64 (RFC 2045 §6)",
	"content-disposition":       "show inline or as an attachment, and its file name (RFC 2183)",
	"content-id":                "an identifier for this part, for links from HTML (RFC 2045 §7)",
	"content-description":       "a description of the part (RFC 2045 §8)",
	"content-language":          "the language of the content (RFC 3282)",
	// Trace and authentication.
	"delivered-to":               "the mailbox the final delivery wrote to (Postfix, qmail; not standardised)",
	"x-original-to":              "the recipient address before alias expansion (Postfix)",
	"envelope-to":                "the envelope recipients at delivery (Exim)",
	"authentication-results":     "what a receiving server verified: SPF, DKIM, DMARC results (RFC 8601)",
	"arc-authentication-results": "authentication results kept for forwarders (ARC, RFC 8617)",
	"arc-seal":                   "signature over the ARC chain (RFC 8617)",
	"arc-message-signature":      "a DKIM-like signature for ARC (RFC 8617)",
	"received-spf":               "the SPF verdict on the sending host (RFC 7208 §9.1)",
	"dkim-signature":             "a cryptographic signature of the author's domain over header and body (RFC 6376)",
	"x-received":                 "a Received field Google keeps for its internal hops (not standardised)",
	// Lists, RFC 2369, 2919, 8058.
	"list-id":               "the mailing list the message came through (RFC 2919)",
	"list-unsubscribe":      "how to leave the list (RFC 2369)",
	"list-unsubscribe-post": "one-click unsubscription (RFC 8058)",
	"list-subscribe":        "how to join the list (RFC 2369)",
	"list-post":             "where to write to the list (RFC 2369)",
	"list-help":             "where help about the list is (RFC 2369)",
	"list-archive":          "where the list's archive is (RFC 2369)",
	"list-owner":            "the list's owner (RFC 2369)",
	"precedence":            "bulk or list mail, so that auto-replies hold back (not standardised; see RFC 3834)",
	"auto-submitted":        "sent by a program, not a person; auto-replies must not answer it (RFC 3834)",
	"errors-to":             "old, non-standard: where errors should go (use Return-Path)",
	// Others often seen.
	"user-agent":                  "the author's mail program (not standardised)",
	"x-mailer":                    "the author's mail program (non-standard X- field)",
	"organization":                "the author's organisation (RFC 1036, not in RFC 5322)",
	"importance":                  "the author's view of its importance (RFC 2156)",
	"priority":                    "urgency for delivery (RFC 2156)",
	"x-priority":                  "urgency, 1 (high) to 5 (low) (non-standard X- field)",
	"disposition-notification-to": "asks for a read receipt (RFC 8098)",
	"status":                      "read/old flags the mailbox program kept (R read, O old) (mbox, not standardised)",
	"x-status":                    "more mailbox flags (mbox, not standardised)",
	"x-uidl":                      "a POP3 unique id a mail program kept (not standardised)",
	"x-mailscanner":               "the verdict of the MailScanner virus scanner",
	"x-antivirus":                 "the verdict of a virus scanner (non-standard X- field)",
	"x-virus-scanned":             "a virus scanner looked at it (non-standard X- field)",
	"x-spam-status":               "the verdict of SpamAssassin",
	"x-spam-score":                "a spam filter's score (non-standard X- field)",
	"x-spam-flag":                 "a spam filter marked it as spam (YES) or not (non-standard X- field)",
	"x-originating-ip":            "the address of the author's machine, given by webmail (non-standard X- field)",
	"x-originatingip":             "the address of the author's machine, given by webmail (non-standard X- field)",
	"thread-topic":                "the conversation's subject (Microsoft)",
	"thread-index":                "the message's place in a conversation (Microsoft)",
	"feedback-id":                 "an identifier for complaint feedback loops (Google, not standardised)",
	"autocrypt":                   "the sender's OpenPGP key for opportunistic encryption (Autocrypt)",
	"openpgp":                     "where to find the sender's OpenPGP key (draft, not standardised)",
	"x-forwarded-to":              "where a forwarding rule sent the message (not standardised)",
	"x-forwarded-for":             "the forwarder and the destination (not standardised)",
}

// FieldMeaning says in one line what a header field is for, by name.
func FieldMeaning(name string) string {
	l := strings.ToLower(name)
	if m, ok := fieldMeanings[l]; ok {
		return m
	}
	switch {
	case strings.HasPrefix(l, "x-ms-exchange-") || strings.HasPrefix(l, "x-microsoft-") || strings.HasPrefix(l, "x-ms-"):
		return "a note Microsoft's servers keep for themselves (not standardised)"
	case strings.HasPrefix(l, "x-google-") || strings.HasPrefix(l, "x-gm-"):
		return "a note Google's servers keep for themselves (not standardised)"
	case strings.HasPrefix(l, "x-spam-"):
		return "a spam filter's note (non-standard X- field)"
	case strings.HasPrefix(l, "list-"):
		return "mailing list information (RFC 2369 family)"
	case strings.HasPrefix(l, "resent-"):
		return "about a resending of the message (RFC 5322 §3.6.6)"
	case strings.HasPrefix(l, "content-"):
		return "describes the body (MIME, RFC 2045)"
	case strings.HasPrefix(l, "x-"):
		return "an extension field: X- names were left for private use (RFC 822 §4.7.5); not standardised"
	}
	return "a field mailsh does not know (perhaps registered: see IANA's message header registry)"
}

// maxHeaderValue bounds a value printed by WriteHeaders (a DKIM signature
// is 500 characters of base64).
const maxHeaderValue = 300

// WriteHeaders prints each header field of the message in r, in order,
// with its meaning under it (the lecture's "Campo / Significado" table).
// The meaning of a field that comes again is not repeated. Only the
// header is read.
func WriteHeaders(w io.Writer, r io.Reader, st Style) error {
	h, _, err := readHeader(r, "")
	if err != nil {
		return err
	}
	var b strings.Builder
	seen := map[string]bool{}
	fs := h.Fields()
	count := 0
	for fs.Next() {
		count++
		name := fieldName(fs)
		value := printable(decodeWords(fs.Value()))
		if n := utf8.RuneCountInString(value); n > maxHeaderValue {
			value = clip(value, maxHeaderValue) + fmt.Sprintf(" (%d characters)", n)
		}
		fmt.Fprintf(&b, "%s %s\n", st.field(printable(name)+":"), value)
		key := strings.ToLower(name)
		if !seen[key] {
			seen[key] = true
			b.WriteString("    " + st.note(FieldMeaning(name)) + "\n")
		}
	}
	if count == 0 {
		b.WriteString("no header fields: the message starts with its body (or is not a message)\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}
