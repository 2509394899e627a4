// Package pop3 is the built-in mail server's POP3 side: the session that
// gives the mail of a loopback.Server's Store out over POP3 and POP3S, on
// the shared connection core (loopback.Conn). Give Service and ServiceTLS
// to loopback.Server.Start, and Faults to loopback.ParseFaults.
//
// It reads proto/pop3's command table for which command is valid in which
// state, and proto's codecs: LineReader, DotWriter, the APOP digest.
//
// Implemented specifications:
//
//   - RFC 1939 (POP3) with APOP, TOP and UIDL, and the maildrop lock of
//     §8; RFC 2449 CAPA and response codes; RFC 3206 AUTH and SYS codes;
//     RFC 2595 STLS; RFC 5034 SASL (PLAIN, LOGIN, CRAM-MD5).
//   - RFC 8314 implicit TLS (POP3S).
package pop3
