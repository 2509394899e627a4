package pop3

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// ParseStatus is parseStatus, for a reply known to be POP3's.
func ParseStatus(line []byte) (*proto.Reply, error) {
	r, err := parseStatus(line)
	if r != nil {
		r.Proto = Protocol
	}
	return r, err
}

// parseStatus parses a POP3 status line: "+OK" or "-ERR" followed by
// optional text (RFC 1939 §3), or a SASL continuation "+" followed by a
// space and base64 data (RFC 5034 §4). RFC 1939 says the indicators are
// upper case; lower case is accepted, since some servers send it.
func parseStatus(line []byte) (*proto.Reply, error) {
	rep := &proto.Reply{Lines: []string{string(line)}}
	s := string(line)
	var rest string
	switch {
	case hasPrefixFold(s, "+OK") && (len(s) == 3 || s[3] == ' '):
		rep.Status, rest = "+OK", strings.TrimPrefix(s[3:], " ")
	case hasPrefixFold(s, "-ERR") && (len(s) == 4 || s[4] == ' '):
		rep.Status, rest = "-ERR", strings.TrimPrefix(s[4:], " ")
	case s == "+" || strings.HasPrefix(s, "+ "):
		rep.Status, rest = "+", strings.TrimPrefix(s[1:], " ")
		rep.Text = []string{rest}
		return rep, nil
	default:
		return rep, proto.ProtocolErr(line, "POP3 reply does not start with +OK or -ERR")
	}
	// RFC 2449 §8: resp-code = "[" resp-level *("/" resp-level) "]".
	if strings.HasPrefix(rest, "[") {
		if end := strings.IndexByte(rest, ']'); end > 1 {
			rep.RespCode = rest[1:end]
			rest = strings.TrimPrefix(rest[end+1:], " ")
		}
	}
	rep.Text = []string{rest}
	return rep, nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// class: "+OK" is positive, "-ERR" a failure (RFC 1939 has no
// transient ones), "+" a SASL continuation (RFC 5034 §4).
func class(r *proto.Reply) proto.Class {
	switch r.Status {
	case "+OK":
		return proto.ClassPositive
	case "+":
		return proto.ClassIntermediate
	case "-ERR":
		return proto.ClassPermanent
	}
	return proto.ClassUnknown
}

// temporary: RFC 2449 §8.1's IN-USE and LOGIN-DELAY, RFC 3206's
// SYS/TEMP.
func temporary(r *proto.Reply) bool {
	return r.RespCode == "IN-USE" || r.RespCode == "LOGIN-DELAY" || r.RespCode == "SYS/TEMP"
}
