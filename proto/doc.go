// Package proto is mailsh's protocol engine, which names no protocol:
// replies and the errors of a broken conversation, the client connection
// and its bounded reader, the state machine driven by a protocol's
// command table, sessions and snapshots, the dot codec, SASL, TLS
// descriptions, targets and the registry's type. A protocol is a package
// beneath it (proto/smtp, proto/pop3, proto/imap, proto/raw) that gives
// its Spec; the program's registry (package protocols) lists them. It
// knows nothing of terminals, files or flags; the shell, the transcript
// recorder and the built-in server all build on it.
//
// Implemented here, for every protocol that uses them:
//
//   - RFC 5321 §4.5.2 transparency and RFC 1939 §3 byte-stuffing: the dot
//     codec, strict about line endings where a server must be.
//   - RFC 3463 / RFC 2034: enhanced status codes.
//   - RFC 4422 SASL: RFC 4616 PLAIN, RFC 2195 CRAM-MD5, the LOGIN and
//     XOAUTH2 mechanisms, and the exchange of challenges and answers.
//
// Each protocol's package lists the specifications it implements.
package proto
