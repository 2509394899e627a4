// Package loopback is what mailsh's own mail server shares between the
// protocols it serves, each of which is a package of its own
// (loopback/smtp, loopback/pop3, loopback/imap): one directory of
// Maildirs (Store), delivery into it with trace fields, the accounts and
// the guard against password guessing, listeners keyed by Service with
// their connection budgets and time limits, the TLS certificate, the
// connection core a line-based session stands on (Conn, with a SASL
// exchange for every protocol's AUTH), and the engine of the fault rules,
// in which each protocol names its own points (FaultDialect). It names no
// protocol: the command line wires the protocol packages to a Server.
//
// Together they let the lecture's sessions be replayed offline (MUA →
// MTA → mailbox → MUA), applications be tested against a mail catcher,
// and clients be debugged against a server that misbehaves on demand, by
// rule.
//
// Implemented specifications:
//
//   - RFC 5321 §4.4 trace fields and RFC 5322 Date and Message-ID for
//     messages that lack them (as RFC 6409 §8 lets a submission server
//     add them); reliable delivery (RFC 5321 §4.2.5, §6.1).
//   - RFC 4616 PLAIN, the LOGIN mechanism and RFC 2195 CRAM-MD5 (RFC 4422
//     SASL).
//   - RFC 8314 implicit TLS.
//   - Maildir (qmail's specification, with Maildir++'s S= and W= sizes),
//     laid out one Maildir per account, as Dovecot's maildir:ROOT/%u reads.
package loopback
