package imap

import (
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// IMAP responses (RFC 9051 §2.2.2, §7): a line starting "* " is untagged
// data or status, "+" asks for the rest of a command (a literal's octets,
// a SASL answer, IDLE's wait), and "TAG OK|NO|BAD text" completes the
// command with that tag. Any line may end in a literal, "{n}", whose n
// octets follow the CRLF and are read by count, never as lines.

// class classes an IMAP status: OK and PREAUTH succeed, "+" asks for
// more, NO is an operational failure (RFC 9051 §7.1.2) and BAD a protocol
// error (§7.1.3); BYE ends the session.
func class(status string) proto.Class {
	switch strings.ToUpper(status) {
	case "OK", "PREAUTH":
		return proto.ClassPositive
	case "+":
		return proto.ClassIntermediate
	case "NO":
		return proto.ClassTransient
	case "BAD", "BYE":
		return proto.ClassPermanent
	}
	return proto.ClassUnknown
}

// label is the status and the response code's name: "NO [TRYCREATE]".
func label(r *proto.Reply) string {
	if r.RespCode != "" {
		code, _, _ := strings.Cut(r.RespCode, " ")
		return r.Status + " [" + code + "]"
	}
	return r.Status
}

// temporary says whether a NO may work later: RFC 5530's UNAVAILABLE,
// INUSE, OVERQUOTA, LIMIT and a server that is EXPUNGEISSUED.
func temporary(r *proto.Reply) bool {
	code, _, _ := strings.Cut(strings.ToUpper(r.RespCode), " ")
	switch code {
	case "UNAVAILABLE", "INUSE", "LIMIT", "OVERQUOTA", "SERVERBUG":
		return true
	}
	return false
}

// ParseStatus is parseStatus, for a reply known to be IMAP's.
func ParseStatus(line []byte) (*proto.Reply, error) {
	r, err := parseStatus(line)
	if r != nil {
		r.Proto = Protocol
	}
	return r, err
}

// parseStatus reads an IMAP continuation request ("+ text"), a tagged
// completion ("a1 OK [CODE] text"), or an untagged status response ("* OK
// …", "* PREAUTH …", "* BYE …", which is how a greeting looks).
func parseStatus(line []byte) (*proto.Reply, error) {
	s := string(line)
	rep := &proto.Reply{Lines: []string{s}}
	if s == "+" || strings.HasPrefix(s, "+ ") {
		rep.Tag, rep.Status = "+", "+"
		rep.Text = []string{strings.TrimPrefix(strings.TrimPrefix(s, "+"), " ")}
		return rep, nil
	}
	tag, rest, ok := strings.Cut(s, " ")
	if !ok || tag == "" {
		return rep, proto.ProtocolErr(line, "IMAP response has no tag")
	}
	status, text, _ := strings.Cut(rest, " ")
	switch up := strings.ToUpper(status); up {
	case "OK", "NO", "BAD":
	case "PREAUTH", "BYE":
		if tag != "*" {
			return rep, proto.ProtocolErr(line, "%s is only untagged", up)
		}
	default:
		return rep, proto.ProtocolErr(line, "IMAP status is not OK, NO or BAD")
	}
	rep.Tag, rep.Status = tag, strings.ToUpper(status)
	if strings.HasPrefix(text, "[") {
		if end := strings.IndexByte(text, ']'); end > 0 {
			rep.RespCode = text[1:end]
			text = strings.TrimPrefix(text[end+1:], " ")
		}
	}
	rep.Text = []string{text}
	return rep, nil
}

// literalAt reports whether line ends in a literal's announcement:
// "{n}", "{n+}" (LITERAL+, RFC 7888) or "~{n}" (BINARY, RFC 3516). It
// returns the octet count, whether the sender waits for no "+", and where
// the announcement starts.
func literalAt(line string) (n int64, nonSync bool, at int, ok bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false, 0, false
	}
	open := strings.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false, 0, false
	}
	num := line[open+1 : len(line)-1]
	if strings.HasSuffix(num, "+") || strings.HasSuffix(num, "-") {
		nonSync, num = true, num[:len(num)-1]
	}
	if num == "" || len(num) > 18 {
		return 0, false, 0, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, false, 0, false
		}
	}
	n, _ = strconv.ParseInt(num, 10, 64)
	at = open
	if at > 0 && line[at-1] == '~' {
		at--
	}
	return n, nonSync, at, true
}

// Quote writes s as an IMAP string: an atom when it may be one, a
// quoted string otherwise (RFC 9051 §4.3), for a password or a mailbox
// name typed without quotes.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " (){%*\"\\]\x7f") && isPrintASCII(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func isPrintASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// fields splits an IMAP response into its top-level tokens: atoms,
// quoted strings (unquoted), and parenthesised lists (kept whole, with
// their parentheses). It is forgiving: mailsh learns from responses, and
// a token it cannot read is skipped rather than fatal.
func fields(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ':
			i++
		case c == '"':
			str, n := quoted(s[i:])
			out = append(out, str)
			i += n
		case c == '(' || c == '[':
			n := group(s[i:])
			out = append(out, s[i:i+n])
			i += n
		default:
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '(' && s[j] != '"' {
				if s[j] == '[' {
					j += group(s[j:])
					continue
				}
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// quoted reads a quoted string at the start of s and returns its
// value and its length in s.
func quoted(s string) (string, int) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), len(s)
}

// group returns the length of the parenthesised or bracketed group at
// the start of s, quoted strings inside it included.
func group(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			_, n := quoted(s[i:])
			i += n - 1
		}
	}
	return len(s)
}

// list returns the items of a parenthesised list "(a b c)".
func list(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	return fields(s)
}
