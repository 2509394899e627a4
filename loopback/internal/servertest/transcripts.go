package servertest

// EHLOReply is the built-in server's answer to "EHLO me" from 127.0.0.1
// in clear text, with the default limits, as a golden transcript's lines.
const EHLOReply = `S: 250-localhost Hello me [127.0.0.1], pleased to meet you
S: 250-PIPELINING
S: 250-SIZE 33554432
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP`

// POP3Greeting is the built-in server's POP3 greeting, as a golden
// transcript's line ("*" for the APOP timestamp's variable part).
const POP3Greeting = "S: +OK localhost mailsh POP3 loopback server ready <*@localhost>"
