package smtp

import (
	"fmt"

	"github.com/mailsh/mailsh/proto"
)

// ParseLine parses one SMTP reply line (RFC 5321 §4.2):
//
//	Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//	             Reply-code [ SP textstring ] CRLF
//
// It returns the code, whether more lines follow (the "-" separator) and
// the text. A bare code with no text is allowed, as §4.2 permits.
func ParseLine(line []byte) (code int, more bool, text string, err error) {
	return parseLine(string(line))
}

func parseLine(line string) (code int, more bool, text string, err error) {
	if len(line) < 3 {
		return 0, false, "", proto.ProtocolErr([]byte(line), "reply shorter than a reply code")
	}
	for i := 0; i < 3; i++ {
		if line[i] < '0' || line[i] > '9' {
			return 0, false, "", proto.ProtocolErr([]byte(line), "reply does not start with a three-digit code")
		}
	}
	// RFC 5321 §4.2: the first digit is 2 to 5. Codes beginning with 1 are
	// not used by SMTP but textproto accepts them, and so do we, to show
	// whatever an odd server says.
	if line[0] < '1' || line[0] > '5' {
		return 0, false, "", proto.ProtocolErr([]byte(line), "reply code %s out of range", line[:3])
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, "", nil
	}
	switch line[3] {
	case ' ':
		return code, false, line[4:], nil
	case '-':
		return code, true, line[4:], nil
	}
	return 0, false, "", proto.ProtocolErr([]byte(line), "reply code not followed by space or hyphen")
}

// ReadReply reads one complete SMTP reply, following continuation lines
// until the last line (RFC 5321 §4.2.1).
func ReadReply(r *proto.LineReader) (*proto.Reply, error) {
	rep := &proto.Reply{Proto: Protocol}
	for {
		line, err := r.ReadLine()
		if err != nil {
			return rep, err
		}
		more, err := addLine(rep, line)
		if err != nil || !more {
			return rep, err
		}
	}
}

// addLine adds one line to a reply being read and reports whether more
// lines follow. Every line must carry the same code. The enhanced status
// code is taken from the first line (RFC 2034 §4 repeats it on every line)
// and removed from each line's text.
func addLine(rep *proto.Reply, raw []byte) (more bool, err error) {
	line := string(raw) // one copy; the text is a substring of it
	code, more, text, err := parseLine(line)
	if err != nil {
		return false, err
	}
	if len(rep.Lines) == 0 {
		rep.Code = code
		// RFC 3463 §2: the class agrees with the reply code's first
		// digit; text that disagrees is not an enhanced code.
		if ec, _, ok := proto.ParseEnhancedCode(text); ok && ec.Class == code/100 {
			rep.Enhanced = ec
		}
	} else if code != rep.Code {
		return false, proto.ProtocolErr(raw, "continuation line has code %d, reply began with %d", code, rep.Code)
	}
	if !rep.Enhanced.IsZero() {
		if ec, rest, ok := proto.ParseEnhancedCode(text); ok && ec == rep.Enhanced {
			text = rest
		}
	}
	rep.Lines = append(rep.Lines, line)
	rep.Text = append(rep.Text, text)
	if more && len(rep.Lines) >= proto.MaxReplyLines {
		return false, fmt.Errorf("%w: more than %d lines", proto.ErrReplyTooLong, proto.MaxReplyLines)
	}
	return more, nil
}

// parseStatus reads the status of an SMTP reply from one of its lines,
// with its enhanced code (RFC 3463).
func parseStatus(line string) (*proto.Reply, error) {
	code, _, text, err := ParseLine([]byte(line))
	if err != nil {
		return nil, err
	}
	r := &proto.Reply{Code: code, Lines: []string{line}, Text: []string{text}}
	if ec, _, ok := proto.ParseEnhancedCode(text); ok && ec.Class == code/100 {
		r.Enhanced = ec
	}
	return r, nil
}

// class reads a reply's first digit (RFC 5321 §4.2.1).
func class(r *proto.Reply) proto.Class {
	switch r.Code / 100 {
	case 2:
		return proto.ClassPositive
	case 3:
		return proto.ClassIntermediate
	case 4:
		return proto.ClassTransient
	case 5:
		return proto.ClassPermanent
	}
	return proto.ClassUnknown
}

func label(r *proto.Reply) string { return fmt.Sprintf("%03d", r.Code) }

func temporary(r *proto.Reply) bool { return class(r) == proto.ClassTransient }
