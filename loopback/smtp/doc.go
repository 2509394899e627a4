// Package smtp is the built-in mail server's SMTP side: the session that
// takes mail in over SMTP and SMTPS and delivers it into the Store of a
// loopback.Server, on the shared connection core (loopback.Conn). Give
// Service and ServiceTLS to loopback.Server.Start, and Faults to
// loopback.ParseFaults.
//
// It reads proto/smtp's command table, so that the server's idea of which
// command is valid in which state, its HELP text and its fault points come
// from the same table as the client's state machine, and proto's codecs:
// LineReader, DotReader, the CRAM-MD5 digest, enhanced status codes.
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
//   - RFC 8314 implicit TLS (SMTPS).
package smtp
