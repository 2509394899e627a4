// Package imap serves IMAP over the loopback server's Maildirs: the
// account's Maildir is INBOX, Maildir++ subfolders (".Sent", ".Trash")
// are the other mailboxes, flags live in the file names (":2,S"), and
// UIDs are kept in a small list per folder (mailsh-uidlist, as Dovecot
// keeps dovecot-uidlist) so that they survive a restart and never go
// back. It shares accounts, the login guard, connection budgets, the
// fault rules (in its dialect, Faults) and the TLS certificate with the
// SMTP and POP3 sides (loopback/smtp, loopback/pop3) through package
// loopback, and hears of SMTP deliveries and POP3 deletions at once
// (Store.Watch), so that a session in IDLE sees new mail without polling.
//
// The grammar, the state machine and the responses are go-imap v2's
// imapserver; this package is its backend.
//
// Implemented specifications:
//
//   - RFC 9051 (IMAP4rev2) and RFC 3501 (IMAP4rev1): LOGIN, AUTHENTICATE
//     PLAIN (RFC 4616, with SASL-IR, RFC 4959), CAPABILITY, STARTTLS
//     (RFC 2595 §3.1, LOGINDISABLED before TLS from other machines), LIST,
//     SELECT, EXAMINE, STATUS, FETCH, STORE, SEARCH, EXPUNGE, APPEND,
//     COPY, CREATE, DELETE, RENAME, LOGOUT and the UID variants. \Recent
//     is not kept (RFC 9051 §6.3.1 drops it): RECENT is always 0.
//   - RFC 2177 IDLE, RFC 5161 ENABLE, RFC 2342 NAMESPACE, RFC 4315
//     UIDPLUS, RFC 6851 MOVE, RFC 7888 LITERAL+, RFC 3691 UNSELECT.
//   - RFC 8314 implicit TLS (--imaps).
//   - Maildir (qmail's specification) with Maildir++ folders and sizes,
//     and the standard info flags D F R S T (Draft, Flagged, Answered,
//     Seen, Deleted).
package imap
