package loopback

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
)

// ParseFaults parses --fault SPECs (FaultHelp documents the syntax).
func ParseFaults(specs []string) (*Faults, error) {
	f := &Faults{}
	for _, spec := range specs {
		if err := f.add(spec); err != nil {
			return nil, fmt.Errorf("bad --fault %q: %w", spec, err)
		}
	}
	return f, nil
}

// maxFaultDelay bounds a delay rule, so that a typo cannot hang a client
// for days.
const maxFaultDelay = time.Hour

func (f *Faults) add(spec string) error {
	s := strings.TrimSpace(spec)
	lower := strings.ToLower(s)
	switch {
	case lower == smuggleLenient:
		f.lenientData = true
		return nil
	case lower == "greylist" || strings.HasPrefix(lower, "greylist="):
		var wait time.Duration
		if v, ok := strings.CutPrefix(lower, "greylist="); ok {
			d, err := parseDelay(v)
			if err != nil {
				return err
			}
			wait = d
		}
		f.grey = &rule{spec: s, point: "rcpt", wait: wait}
		return nil
	case strings.HasPrefix(lower, "maxconn="):
		n, err := strconv.Atoi(s[len("maxconn="):])
		if err != nil || n < 1 {
			return errors.New("maxconn= takes a number of connections, 1 or more, as in maxconn=2")
		}
		f.maxConn = n
		return nil
	case strings.HasPrefix(lower, "ext=") || strings.HasPrefix(lower, "pop3.ext="):
		r, err := extRule(s)
		if err != nil {
			return err
		}
		f.rules = append(f.rules, r)
		return nil
	case lower == "pop3.busy" || strings.HasPrefix(lower, "pop3.busy~") || strings.HasPrefix(lower, "pop3.busy#"):
		s = "pop3.login" + s[len("pop3.busy"):] + ":-ERR [IN-USE] Mailbox in use by another session, try again later"
	}
	head, action, err := splitRule(s)
	if err != nil {
		return err
	}
	r := &rule{spec: strings.TrimSpace(spec)}
	if err := r.parseHead(head); err != nil {
		return err
	}
	if err := r.parseAction(action); err != nil {
		return err
	}
	f.rules = append(f.rules, r)
	return nil
}

// splitRule finds the ":" between POINT[#N][~PATTERN] and ACTION. A
// pattern may hold ":" (an IPv6 address), so it is the first ":" that an
// action follows.
func splitRule(s string) (head, action string, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		a := strings.TrimSpace(s[i+1:])
		la := strings.ToLower(a)
		if a != "" && (a[0] >= '0' && a[0] <= '9' || strings.HasPrefix(la, "-err") || la == "drop" || strings.HasPrefix(la, "delay=") || imapStatus(la) != "") {
			return strings.TrimSpace(s[:i]), a, nil
		}
	}
	return "", "", errors.New(`write POINT[#N][~PATTERN]:ACTION, as in rcpt#3:452, where ACTION is a reply code, -ERR, drop or delay=DURATION`)
}

func (r *rule) parseHead(head string) error {
	point := head
	if i := strings.IndexAny(head, "#~"); i >= 0 {
		point = head[:i]
		rest := head[i:]
		if strings.HasPrefix(rest, "#") {
			num := rest[1:]
			if j := strings.IndexByte(num, '~'); j >= 0 {
				num, rest = num[:j], num[j:]
			} else {
				rest = ""
			}
			n, err := strconv.Atoi(num)
			if err != nil || n < 1 {
				return fmt.Errorf("after # comes a count from 1, as in rcpt#3, not %q", num)
			}
			r.nth = n
		}
		if strings.HasPrefix(rest, "~") {
			r.pattern = rest[1:]
			if r.pattern == "" {
				return errors.New("~ needs a pattern, as in rcpt~*@example.com")
			}
		}
	}
	r.point = strings.ToLower(strings.TrimSpace(point))
	if !validPoint(r.point) {
		return fmt.Errorf("unknown point %q; the points are %s", point, strings.Join(faultPoints(), ", "))
	}
	return nil
}

// validPoint accepts the pseudo-points and every command of proto's
// tables, so that the list of commands is kept in one place.
func validPoint(p string) bool {
	for _, q := range faultPoints() {
		if p == q {
			return true
		}
	}
	return false
}

func faultPoints() []string {
	pts := []string{"connect", "dot", "any"}
	for _, c := range smtp.Commands {
		pts = append(pts, strings.ToLower(c.Name))
	}
	pts = append(pts, "pop3.connect", "pop3.login", "pop3.any")
	for _, c := range pop3.Commands {
		pts = append(pts, "pop3."+strings.ToLower(c.Name))
	}
	pts = append(pts, "imap.connect", "imap.any")
	for _, c := range imapFaultCommands {
		pts = append(pts, "imap."+c)
	}
	return pts
}

func (r *rule) parseAction(a string) error {
	pop := strings.HasPrefix(r.point, "pop3.")
	imap := strings.HasPrefix(r.point, "imap.")
	la := strings.ToLower(a)
	switch {
	case imap && imapStatus(la) != "":
		return r.parseIMAPReply(a)
	case imap && la != "drop" && !strings.HasPrefix(la, "delay="):
		return errors.New("an IMAP point takes NO [CODE] [TEXT], BAD [TEXT], drop or delay=DURATION")
	case la == "drop":
		r.drop = true
		return nil
	case strings.HasPrefix(la, "delay="):
		d, err := parseDelay(a[len("delay="):])
		if err != nil {
			return err
		}
		r.delay = d
		return nil
	case strings.HasPrefix(la, "-err"):
		if !pop {
			return errors.New("-ERR is a POP3 reply: SMTP points take a code such as 451")
		}
		return r.parsePOP3Reply(a)
	}
	if pop {
		return errors.New("a POP3 point takes -ERR [CODE] [TEXT], drop or delay=DURATION")
	}
	return r.parseSMTPReply(a)
}

// parseSMTPReply reads CODE [X.Y.Z] [TEXT].
func (r *rule) parseSMTPReply(a string) error {
	codeStr, rest, _ := strings.Cut(a, " ")
	code, err := strconv.Atoi(codeStr)
	if err != nil || len(codeStr) != 3 || code < 400 || code > 599 {
		return fmt.Errorf("%q is not a failure reply code: give 4xx (try again later) or 5xx (refused)", codeStr)
	}
	// RFC 5321 §3.1: at connect a server may only refuse, with 554 (or
	// close with 421, §3.8).
	if r.point == "connect" && code != 554 && code != 421 {
		return errors.New("at connect the reply is 554 (no service) or 421 (closing), RFC 5321 §3.1 and §3.8")
	}
	rest = strings.TrimSpace(rest)
	enh, text := faultText(code, r.point)
	if ec, after, ok := proto.ParseEnhancedCode(rest); ok {
		if ec.Class != code/100 {
			return fmt.Errorf("enhanced code %s does not agree with %d: the first digits must match (RFC 3463 §2)", ec, code)
		}
		enh, rest = ec.String(), strings.TrimSpace(after)
	}
	if rest != "" {
		text = rest
	} else {
		text += " (fault rule " + r.spec + ")"
	}
	if strings.ContainsAny(text, "\r\n") {
		return errors.New("the reply text cannot hold a line break")
	}
	rep := reply(code, enh, "%s", text)
	r.smtp = &rep
	return nil
}

// imapFaultCommands are the IMAP commands a rule can name (imap.fetch).
var imapFaultCommands = []string{
	"login", "select", "examine", "list", "status", "create", "delete",
	"rename", "append", "fetch", "store", "search", "expunge", "copy", "move", "idle",
	"namespace", "unselect",
}

// imapStatus returns "NO" or "BAD" if a begins with one, as an IMAP rule's
// action does.
func imapStatus(la string) string {
	for _, st := range []string{"no", "bad"} {
		if la == st || strings.HasPrefix(la, st+" ") {
			return strings.ToUpper(st)
		}
	}
	return ""
}

// parseIMAPReply reads NO [[CODE]] [TEXT] or BAD [TEXT].
func (r *rule) parseIMAPReply(a string) error {
	st := imapStatus(strings.ToLower(a))
	code, text, err := r.codeAndText(a[len(st):], "NO [UNAVAILABLE]")
	if err != nil {
		return err
	}
	r.imap = &IMAPFault{Status: st, Code: code, Text: text}
	return nil
}

// parsePOP3Reply reads -ERR [[CODE]] [TEXT].
func (r *rule) parsePOP3Reply(a string) error {
	code, text, err := r.codeAndText(a[len("-ERR"):], "-ERR [IN-USE]")
	if err != nil {
		return err
	}
	r.pop3 = &pop3Reply{code: code, text: text}
	return nil
}

// codeAndText reads the [CODE] TEXT after a POP3 or IMAP status (RFC 2449
// §8, RFC 9051 §7.1): the code in brackets, if any, and the text, which
// says the rule made it when none is given. example shows the form.
func (r *rule) codeAndText(rest, example string) (code, text string, err error) {
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", "", fmt.Errorf("a response code is written in brackets, as in %s", example)
		}
		code = strings.ToUpper(rest[1:end])
		rest = strings.TrimSpace(rest[end+1:])
	}
	text = rest
	if text == "" {
		text = "Refused (fault rule " + r.spec + ")"
	}
	if strings.ContainsAny(text+code, "\r\n") {
		return "", "", errors.New("the reply text cannot hold a line break")
	}
	return code, text, nil
}

func parseDelay(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 || d > maxFaultDelay {
		return 0, fmt.Errorf("bad duration %q: give one such as 500ms, 2s or 1m (at most 1h)", v)
	}
	return d, nil
}

// extRule makes the rule for ext=KEYWORD: keep advertising the extension,
// refuse every use of it with the reply a broken server would give.
func extRule(spec string) (*rule, error) {
	pop := strings.HasPrefix(strings.ToLower(spec), "pop3.")
	_, kw, _ := strings.Cut(spec, "=")
	kw = strings.ToUpper(strings.TrimSpace(kw))
	r := &rule{spec: spec}
	setSMTP := func(point string, code int, enh, text string) {
		r.point = point
		rep := reply(code, enh, "%s (fault rule %s)", text, spec)
		r.smtp = &rep
	}
	if pop {
		points := map[string]string{"STLS": "pop3.stls", "TOP": "pop3.top", "UIDL": "pop3.uidl", "USER": "pop3.user", "SASL": "pop3.auth"}
		p, ok := points[kw]
		if !ok {
			return nil, fmt.Errorf("pop3.ext= takes STLS, TOP, UIDL, USER or SASL, not %q", kw)
		}
		r.point = p
		r.pop3 = &pop3Reply{text: kw + " is advertised but does not work here (fault rule " + spec + ")"}
		return r, nil
	}
	switch kw {
	case "STARTTLS":
		// RFC 3207 §4.
		setSMTP("starttls", 454, "4.7.0", "TLS not available due to temporary reason")
	case "AUTH":
		// RFC 4954 §6.
		setSMTP("auth", 454, "4.7.0", "Temporary authentication failure")
	case "CHUNKING":
		setSMTP("bdat", 502, "5.5.1", "BDAT not implemented")
	case "SIZE", "8BITMIME", "SMTPUTF8":
		// RFC 5321 §4.1.1.11: 555 for a parameter not recognized.
		param := map[string]string{"SIZE": "SIZE", "8BITMIME": "BODY=8BITMIME", "SMTPUTF8": "SMTPUTF8"}[kw]
		setSMTP("mail", 555, "5.5.4", param+" parameter not recognized")
		r.param = param
	default:
		return nil, fmt.Errorf("ext= takes STARTTLS, AUTH, CHUNKING, SIZE, 8BITMIME or SMTPUTF8, not %q", kw)
	}
	return r, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
