// Package proto is mailsh's protocol engine for SMTP and POP3: reply types and
// parsers, the dot codec, SASL and APOP helpers, the command tables and the
// state machines built from them, and a client connection that ties these
// together. It knows nothing of terminals, files or flags; the shell, the
// transcript recorder and the loopback server all build on it.
//
// Implemented specifications:
//
//   - RFC 5321 (SMTP): replies (§4.2), multi-line replies (§4.2.1), command
//     sequencing (§4.1.4), line limits (§4.5.3.1), transparency (§4.5.2).
//   - RFC 3463 / RFC 2034: enhanced status codes.
//   - RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 2920 PIPELINING, RFC 3030 CHUNKING,
//     RFC 6531 SMTPUTF8, RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 3461 DSN
//     (keywords and parameters, for the state machine and completion).
//   - RFC 1939 (POP3), RFC 2449 (CAPA, response codes), RFC 2595 (STLS),
//     RFC 5034 (POP3 SASL).
//   - RFC 4616 PLAIN, RFC 2195 CRAM-MD5, the LOGIN and XOAUTH2 mechanisms.
package proto
