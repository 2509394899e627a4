// Package message reads, analyses and composes Internet messages: the
// part of mail that the lecture spends half its slides on. It is what the
// shell's :show, :mime, :save, :hops, :headers and :compose commands and
// "mailsh msg" run on.
//
// It reads the MIME structure with github.com/emersion/go-message (and its
// charset package for the character sets the standard library does not
// decode) and writes no MIME parser of its own. Messages are streamed: a
// part's body is read once, as it goes by, so a 20 MB attachment is never
// held in memory, and every size it reports was counted on the way.
//
// Standards it follows:
//
//   - RFC 5322: message format, header fields, dates (§3.3, obsolete forms
//     of §4.3), address lists, Bcc (§3.6.3)
//   - RFC 2045, 2046, 2047, 2049: MIME header fields, transfer encodings,
//     multipart bodies, encoded words in headers
//   - RFC 2183 and RFC 2231: Content-Disposition and encoded parameters
//     (file names that are not ASCII)
//   - RFC 5321 §4.4: the Received trace field ("time stamp line") that
//     each SMTP server adds, read here as the hops a message took
//   - RFC 3848: the "with" protocol types (SMTP, ESMTP, ESMTPS, ESMTPA, …)
//   - RFC 8601 (formerly 7001): Authentication-Results; RFC 7208 §9.1:
//     Received-SPF
//   - RFC 3501 §6.4.5: part numbers ("1", "2.1") as IMAP gives them
package message
