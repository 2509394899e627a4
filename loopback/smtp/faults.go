package smtp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
)

// Faults is SMTP's dialect of the fault rules: its points are bare
// ("rcpt", "dot"), its replies are CODE [X.Y.Z] [TEXT], and it has rules
// of its own: ext=KEYWORD, greylist[=DURATION] and smuggle:lenient.
var Faults = &loopback.FaultDialect{
	Points:         faultPoints(),
	PerTransaction: []string{"rcpt"},
	IsReply:        func(la string) bool { return la[0] >= '0' && la[0] <= '9' },
	ParseReply:     parseFaultReply,
	Special:        specialRule,
}

// faultPoints are "connect", "dot" (the end of a message), "any" and
// every command of proto's table, so that the list of commands is kept in
// one place.
func faultPoints() []string {
	pts := []string{"connect", "dot", "any"}
	for _, c := range smtp.Commands {
		pts = append(pts, strings.ToLower(c.Name))
	}
	return pts
}

// Settings of the rules of SMTP's own.
const (
	// smuggleLenient is the spec of the rule that turns strict DATA off.
	smuggleLenient = "smuggle:lenient"
	// greylistSetting names the greylist=DURATION rule.
	greylistSetting = "greylist"
)

// LenientData reports whether the smuggle:lenient rule is on: the server
// then reads DATA as servers open to SMTP smuggling do (CVE-2023-51764),
// for showing the attack; off by default.
func LenientData(f *loopback.Faults) bool {
	_, ok := f.Setting(smuggleLenient)
	return ok
}

// greylistRule is the greylist=DURATION rule and the triples it saw.
type greylistRule struct {
	spec string
	// wait is how much later a greylisted retry must come.
	wait time.Duration
	list *greylist
}

// greylistOf returns the greylist rule, nil for none.
func greylistOf(f *loopback.Faults) *greylistRule {
	st, ok := f.Setting(greylistSetting)
	if !ok {
		return nil
	}
	return st.Value.(*greylistRule)
}

// specialRule reads smuggle:lenient, greylist[=DURATION] and ext=KEYWORD.
func specialRule(s string) (loopback.FaultSpecial, bool, error) {
	lower := strings.ToLower(s)
	switch {
	case lower == smuggleLenient:
		return loopback.FaultSpecial{Setting: smuggleLenient, Spec: smuggleLenient}, true, nil
	case lower == "greylist" || strings.HasPrefix(lower, "greylist="):
		var wait time.Duration
		if v, ok := strings.CutPrefix(lower, "greylist="); ok {
			d, err := loopback.ParseFaultDelay(v)
			if err != nil {
				return loopback.FaultSpecial{}, true, err
			}
			wait = d
		}
		g := &greylistRule{spec: s, wait: wait, list: newGreylist()}
		return loopback.FaultSpecial{Setting: greylistSetting, Spec: s, Value: g}, true, nil
	case strings.HasPrefix(lower, "ext="):
		sp, err := extRule(s)
		return sp, true, err
	}
	return loopback.FaultSpecial{}, false, nil
}

// parseFaultReply reads CODE [X.Y.Z] [TEXT].
func parseFaultReply(point, a, spec string) (fmt.Stringer, error) {
	if strings.HasPrefix(strings.ToLower(a), "-err") {
		return nil, errors.New("-ERR is a POP3 reply: SMTP points take a code such as 451")
	}
	codeStr, rest, _ := strings.Cut(a, " ")
	code, err := strconv.Atoi(codeStr)
	if err != nil || len(codeStr) != 3 || code < 400 || code > 599 {
		return nil, fmt.Errorf("%q is not a failure reply code: give 4xx (try again later) or 5xx (refused)", codeStr)
	}
	// RFC 5321 §3.1: at connect a server may only refuse, with 554 (or
	// close with 421, §3.8).
	if point == "connect" && code != 554 && code != 421 {
		return nil, errors.New("at connect the reply is 554 (no service) or 421 (closing), RFC 5321 §3.1 and §3.8")
	}
	rest = strings.TrimSpace(rest)
	enh, text := faultText(code, point)
	if ec, after, ok := proto.ParseEnhancedCode(rest); ok {
		if ec.Class != code/100 {
			return nil, fmt.Errorf("enhanced code %s does not agree with %d: the first digits must match (RFC 3463 §2)", ec, code)
		}
		enh, rest = ec.String(), strings.TrimSpace(after)
	}
	if rest != "" {
		text = rest
	} else {
		text += " (fault rule " + spec + ")"
	}
	if strings.ContainsAny(text, "\r\n") {
		return nil, errors.New("the reply text cannot hold a line break")
	}
	return reply(code, enh, "%s", text), nil
}

// extRule makes the rule for ext=KEYWORD: keep advertising the extension,
// refuse every use of it with the reply a broken server would give.
func extRule(spec string) (loopback.FaultSpecial, error) {
	_, kw, _ := strings.Cut(spec, "=")
	kw = strings.ToUpper(strings.TrimSpace(kw))
	mk := func(point string, code int, enh, text string) loopback.FaultSpecial {
		return loopback.FaultSpecial{Point: point, Reply: reply(code, enh, "%s (fault rule %s)", text, spec)}
	}
	switch kw {
	case "STARTTLS":
		// RFC 3207 §4.
		return mk("starttls", 454, "4.7.0", "TLS not available due to temporary reason"), nil
	case "AUTH":
		// RFC 4954 §6.
		return mk("auth", 454, "4.7.0", "Temporary authentication failure"), nil
	case "CHUNKING":
		return mk("bdat", 502, "5.5.1", "BDAT not implemented"), nil
	case "SIZE", "8BITMIME", "SMTPUTF8":
		// RFC 5321 §4.1.1.11: 555 for a parameter not recognized.
		param := map[string]string{"SIZE": "SIZE", "8BITMIME": "BODY=8BITMIME", "SMTPUTF8": "SMTPUTF8"}[kw]
		sp := mk("mail", 555, "5.5.4", param+" parameter not recognized")
		sp.Cond = func(arg string) bool { return hasParam(arg, param) }
		return sp, nil
	}
	return loopback.FaultSpecial{}, fmt.Errorf("ext= takes STARTTLS, AUTH, CHUNKING, SIZE, 8BITMIME or SMTPUTF8, not %q", kw)
}

// hasParam reports whether a MAIL command's parameters include p, as
// "SIZE" (any value) or "BODY=8BITMIME" (that value).
func hasParam(arg, p string) bool {
	fields := strings.Fields(arg)
	if len(fields) > 0 {
		fields = fields[1:] // the path
	}
	for _, f := range fields {
		k, _, _ := strings.Cut(f, "=")
		if strings.EqualFold(f, p) || (!strings.Contains(p, "=") && strings.EqualFold(k, p)) {
			return true
		}
	}
	return false
}

// greylist remembers the (client, sender, recipient) triples seen, for the
// greylist rule: the first try of a triple gets 451 4.7.1, a retry made
// at least the rule's delay later is let through, as greylisting servers do.
type greylist struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// greylistMax bounds the triples remembered; past it the list starts afresh.
const greylistMax = 100000

func newGreylist() *greylist { return &greylist{seen: map[string]time.Time{}} }

// pass reports whether a triple may pass now.
func (g *greylist) pass(ip, from, to string, wait time.Duration, now time.Time) bool {
	key := strings.ToLower(ip + "\x00" + from + "\x00" + to)
	g.mu.Lock()
	defer g.mu.Unlock()
	first, ok := g.seen[key]
	if !ok {
		if len(g.seen) >= greylistMax {
			g.seen = map[string]time.Time{}
		}
		g.seen[key] = now
		return false
	}
	return now.Sub(first) >= wait
}
