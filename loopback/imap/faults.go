package imap

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// Faults is IMAP's dialect of the fault rules: its points begin with
// "imap." ("imap.fetch"), and its replies are NO [[CODE]] [TEXT] and BAD
// [TEXT] (at imap.connect, a BYE in place of the greeting).
var Faults = &loopback.FaultDialect{
	Prefix:     "imap.",
	Points:     append([]string{"connect", "any"}, faultCommands...),
	IsReply:    func(la string) bool { return faultStatus(la) != "" },
	ParseReply: parseFaultReply,
}

// faultCommands are the IMAP commands a rule can name (imap.fetch).
var faultCommands = []string{
	"login", "select", "examine", "list", "status", "create", "delete",
	"rename", "append", "fetch", "store", "search", "expunge", "copy", "move", "idle",
	"namespace", "unselect",
}

// faultStatus returns "NO" or "BAD" if la begins with one, as an IMAP
// rule's action does.
func faultStatus(la string) string {
	for _, st := range []string{"no", "bad"} {
		if la == st || strings.HasPrefix(la, st+" ") {
			return strings.ToUpper(st)
		}
	}
	return ""
}

// parseFaultReply reads NO [[CODE]] [TEXT] or BAD [TEXT].
func parseFaultReply(_, a, spec string) (fmt.Stringer, error) {
	st := faultStatus(strings.ToLower(a))
	if st == "" {
		return nil, errors.New("an IMAP point takes NO [CODE] [TEXT], BAD [TEXT], drop or delay=DURATION")
	}
	code, text, err := loopback.FaultCodeAndText(a[len(st):], spec, "NO [UNAVAILABLE]")
	if err != nil {
		return nil, err
	}
	return &faultReply{Status: st, Code: code, Text: text}, nil
}

// faultReply is the reply a fault rule gives to an IMAP command in place
// of the normal one: NO or BAD, with an optional response code.
type faultReply struct {
	Status string // "NO" or "BAD"
	Code   string // a response code such as "UNAVAILABLE", without brackets
	Text   string
}

func (r *faultReply) String() string { return r.Status + " " + r.Text }

// faultOutcome is what the rules decide for one IMAP command: after
// Delay, reply Reply in place of the normal one, or close the connection
// (Drop), or go on as usual.
type faultOutcome struct {
	Delay time.Duration
	Drop  bool
	Reply *faultReply
	Spec  string // the rule that decided, for the log
}

// checkFaults applies the fault rules to an IMAP command at point
// ("imap.fetch", "imap.connect"): subject is what patterns match (the
// user at login, the client's IP at connect, else the command's
// argument). Rules at imap.any apply at every point, the greeting
// included; their delays add up with the others'.
func checkFaults(f *loopback.Faults, point, subject string, n *loopback.FaultCounts) faultOutcome {
	o := f.Check(point, subject, subject, n)
	out := faultOutcome{Delay: o.Delay, Drop: o.Drop, Spec: o.Spec}
	if o.Reply != nil {
		out.Reply = o.Reply.(*faultReply)
	}
	return out
}
