// Package loopback is mailsh's own mail server: SMTP in, POP3 out, over
// one directory of Maildirs, so that the lecture's sessions can be
// replayed offline (MUA → MTA → mailbox → POP3 → MUA), applications can
// be tested against a mail catcher, and clients can be debugged against a
// server that misbehaves on demand, by rule (see Faults).
//
// It shares proto's command tables, so that the server's idea of which
// command is valid in which state, its HELP text and its fault points
// come from the same table as the client's state machine, and proto's
// codecs: LineReader, DotReader and DotWriter, the SASL and APOP digests,
// enhanced status codes.
//
// Implemented specifications:
//
//   - RFC 5321 (SMTP): commands (§4.1.1), sequencing and 503 (§4.1.4),
//     554 at connect (§3.1), 421 (§3.8), trace fields (§4.4), limits
//     (§4.5.3.1), timeouts (§4.5.3.2), postmaster (§4.5.1), VRFY 252
//     (§3.5.3), reliable delivery (§4.2.5, §6.1).
//   - RFC 1870 SIZE, RFC 2920 PIPELINING, RFC 6152 8BITMIME, RFC 2034 and
//     RFC 3463 enhanced status codes, RFC 6531 SMTPUTF8, RFC 3030 CHUNKING
//     (BDAT), RFC 3207 STARTTLS, RFC 4954 AUTH with RFC 4616 PLAIN, LOGIN
//     and RFC 2195 CRAM-MD5; RFC 3848 "with" keywords.
//   - RFC 1939 (POP3) with APOP, TOP and UIDL; RFC 2449 CAPA and response
//     codes; RFC 3206 AUTH and SYS codes; RFC 2595 STLS; RFC 5034 SASL.
//   - RFC 8314 implicit TLS; RFC 5322 Date and Message-ID for messages
//     that lack them (as RFC 6409 §8 lets a submission server add them).
//   - Maildir (qmail's specification, with Maildir++'s S= and W= sizes),
//     laid out one Maildir per account, as Dovecot's maildir:ROOT/%u reads.
package loopback
