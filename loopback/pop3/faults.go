package pop3

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto/pop3"
)

// Faults is POP3's dialect of the fault rules: its points begin with
// "pop3." ("pop3.retr"), its replies are -ERR [[CODE]] [TEXT], and it has
// rules of its own: pop3.ext=KEYWORD and pop3.busy[~USER].
var Faults = &loopback.FaultDialect{
	Prefix:     "pop3.",
	Points:     faultPoints(),
	IsReply:    func(la string) bool { return strings.HasPrefix(la, "-err") },
	ParseReply: parseFaultReply,
	Special:    specialRule,
}

// faultPoints are "connect", "login" (after a correct password), "any"
// and every command of proto's table.
func faultPoints() []string {
	pts := []string{"connect", "login", "any"}
	for _, c := range pop3.Commands {
		pts = append(pts, strings.ToLower(c.Name))
	}
	return pts
}

// parseFaultReply reads -ERR [[CODE]] [TEXT].
func parseFaultReply(_, a, spec string) (fmt.Stringer, error) {
	if !strings.HasPrefix(strings.ToLower(a), "-err") {
		return nil, errors.New("a POP3 point takes -ERR [CODE] [TEXT], drop or delay=DURATION")
	}
	code, text, err := loopback.FaultCodeAndText(a[len("-ERR"):], spec, "-ERR [IN-USE]")
	if err != nil {
		return nil, err
	}
	return pop3Reply{code: code, text: text}, nil
}

// specialRule reads pop3.ext=KEYWORD, which keeps advertising the
// extension but refuses every use of it, and pop3.busy[#N][~USER], which
// makes logins find the mailbox in use.
func specialRule(s string) (loopback.FaultSpecial, bool, error) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "pop3.ext="):
		_, kw, _ := strings.Cut(s, "=")
		kw = strings.ToUpper(strings.TrimSpace(kw))
		points := map[string]string{"STLS": "pop3.stls", "TOP": "pop3.top", "UIDL": "pop3.uidl", "USER": "pop3.user", "SASL": "pop3.auth"}
		p, ok := points[kw]
		if !ok {
			return loopback.FaultSpecial{}, true, fmt.Errorf("pop3.ext= takes STLS, TOP, UIDL, USER or SASL, not %q", kw)
		}
		return loopback.FaultSpecial{Point: p, Reply: pop3Reply{text: kw + " is advertised but does not work here (fault rule " + s + ")"}}, true, nil
	case lower == "pop3.busy" || strings.HasPrefix(lower, "pop3.busy~") || strings.HasPrefix(lower, "pop3.busy#"):
		return loopback.FaultSpecial{Expand: "pop3.login" + s[len("pop3.busy"):] + ":-ERR [IN-USE] Mailbox in use by another session, try again later"}, true, nil
	}
	return loopback.FaultSpecial{}, false, nil
}
