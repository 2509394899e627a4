// Package transcript records mailsh sessions as they happen, reads them
// back, exports them (Markdown, HTML with a sequence diagram, JSON Lines)
// and replays them against a server as a regression test.
//
// # Format
//
// A transcript is UTF-8 text, one line per protocol line, written and
// flushed as the session goes. It starts with a header of "#" lines:
//
//	# mailsh transcript 1
//	# session: 1
//	# version: 0.1.0
//	# target: smtp://127.0.0.1:2525
//	# started: 2026-11-27T21:30:00.123+01:00
//	# redaction: on
//
// and, after a blank line, entries of the form
//
//	HH:MM:SS.uuuuuu DIR TEXT
//
// where DIR is "C:" for a line the client sent, "S:" for a line the server
// sent, "C|" and "S|" for lines of message text (DATA sent, or a POP3
// multi-line body received) and "*" for mailsh's own notes (TLS started,
// connection closed). TEXT is the line as it crossed the wire, without its
// CRLF: dot-stuffing shows as sent. Secrets show as "[redacted]" unless
// recording was started with redaction off. When a body is abbreviated,
// a note says how many lines were left out. A session that goes on to
// another server (:connect) starts a new header in the same file, and so
// does a new recording to an existing file.
//
// The first line's "1" is the version of the format and is the same in
// every header. "session:" numbers the sessions of a file from 1; a
// recording appended to a file takes the number after the file's last.
// Files written before sessions were numbered lack the line: their
// sessions are numbered by their place in the file. Readers ignore header
// lines they do not know, so older ones read numbered files too.
package transcript
