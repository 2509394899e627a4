package loopback

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Faults is a set of rules that make the server misbehave on purpose, for
// people debugging their clients. Every rule is deterministic: it fires
// on the commands it names, not by chance. Rules combine: the delays of
// all rules that match a command add up, and the first matching rule that
// replies or drops the connection decides the outcome.
//
// The engine here names no protocol: each protocol package gives a
// FaultDialect with its points (the moments a rule can name), the form of
// its replies, and rules of its own; ParseFaults reads the rules in the
// dialects it is given.
type Faults struct {
	rules []*rule
	// settings are the rules that are not POINT:ACTION (maxconn=N, and
	// the dialects' own), by name.
	settings map[string]FaultSetting
}

// FaultSetting is a rule that sets something rather than firing at a
// point: Spec as Rules shows it, and its Value, which the dialect that
// made it reads back (Faults.Setting).
type FaultSetting struct {
	Spec  string
	Value any
}

// maxConnSetting names the maxconn=N rule, the one setting every protocol
// shares.
const maxConnSetting = "maxconn"

// Setting returns the setting of a name, if a rule made it.
func (f *Faults) Setting(name string) (FaultSetting, bool) {
	if f == nil {
		return FaultSetting{}, false
	}
	st, ok := f.settings[name]
	return st, ok
}

// MaxConnections is the connection limit of a maxconn=N rule, 0 for none.
func (f *Faults) MaxConnections() int {
	st, ok := f.Setting(maxConnSetting)
	if !ok {
		return 0
	}
	return st.Value.(int)
}

// rule is one parsed --fault SPEC.
type rule struct {
	spec    string
	point   string // "connect", "rcpt", "any", "pop3.retr", …
	any     bool   // the point is a dialect's "any": it matches anyPrefix's points
	prefix  string // the dialect's prefix, for "any"
	scope   faultScope
	nth     int    // fire only on the Nth matching command; 0 for all
	pattern string // glob the command's subject must match; "" for any
	// cond, if set, must hold for the command's argument (a dialect's
	// rule such as one for a MAIL parameter).
	cond func(arg string) bool

	delay time.Duration
	drop  bool
	reply fmt.Stringer // in the dialect's own form

	// seen counts matching events for rules counted server-wide
	// (connect).
	seen atomic.Int64
}

// faultScope says where the Nth of a point is counted.
type faultScope int

const (
	scopeSession     faultScope = iota // per connection
	scopeServer                        // server-wide: connect
	scopeTransaction                   // per transaction (FaultDialect.PerTransaction)
)

// Rules returns the specs of the rules, as given, then the settings.
func (f *Faults) Rules() []string {
	var out []string
	for _, r := range f.rules {
		out = append(out, r.spec)
	}
	var names []string
	for n := range f.settings {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, f.settings[n].Spec)
	}
	return out
}

// Empty reports whether there are no rules.
func (f *Faults) Empty() bool { return f == nil || len(f.Rules()) == 0 }

// FaultCounts counts the commands of one session for rules that fire on
// the Nth (point#N); its zero value is ready.
type FaultCounts struct {
	session map[*rule]int
	tx      map[*rule]int
}

// ResetTransaction starts the counts of a new transaction.
func (c *FaultCounts) ResetTransaction() { c.tx = nil }

// bump counts an event of r where r's scope says: connections
// server-wide, a dialect's transaction points per transaction, everything
// else per session.
func (c *FaultCounts) bump(r *rule) int {
	switch r.scope {
	case scopeServer:
		return int(r.seen.Add(1))
	case scopeTransaction:
		if c.tx == nil {
			c.tx = map[*rule]int{}
		}
		c.tx[r]++
		return c.tx[r]
	}
	if c.session == nil {
		c.session = map[*rule]int{}
	}
	c.session[r]++
	return c.session[r]
}

// FaultOutcome is what the rules decide for one event: after Delay,
// Reply in place of the normal reply (in the protocol's own form), or
// close the connection (Drop), or go on as usual.
type FaultOutcome struct {
	Delay time.Duration
	Drop  bool
	Reply fmt.Stringer
	// Spec is the rule that replied or dropped, for the log.
	Spec string
}

// Decided reports whether a rule takes the place of the normal reply.
func (o FaultOutcome) Decided() bool { return o.Drop || o.Reply != nil }

// describe says what a deciding rule does, for the log.
func (o FaultOutcome) describe() string {
	if o.Reply != nil {
		return "replies " + o.Reply.String()
	}
	return "drops the connection"
}

// ApplyFaults applies the fault rules to an event of this session with
// the given counters: a delay is waited out here, a deciding rule logged.
// point, subject and arg are as for Faults.Check.
func (c *Conn) ApplyFaults(point, subject, arg string, n *FaultCounts) FaultOutcome {
	o := c.srv.faults.Check(point, subject, arg, n)
	if o.Delay > 0 {
		c.Sleep(o.Delay)
	}
	if o.Decided() {
		c.Logf("fault rule %q %s", o.Spec, o.describe())
	}
	return o
}

// Check applies the rules to an event at point: subject is what patterns
// match (an address, the client's IP at connect, the user at login, else
// the argument; the dialect says which), arg the command's whole
// argument. Rules at a dialect's "any" apply at every point of that
// dialect; their delays add up with the others'.
func (f *Faults) Check(point, subject, arg string, c *FaultCounts) FaultOutcome {
	var o FaultOutcome
	if f == nil {
		return o
	}
	for _, r := range f.rules {
		if !r.matches(point, subject, arg) {
			continue
		}
		if r.nth > 0 && c.bump(r) != r.nth {
			continue
		}
		o.Delay += r.delay
		if !o.Decided() && (r.drop || r.reply != nil) {
			o.Drop, o.Reply, o.Spec = r.drop, r.reply, r.spec
		}
	}
	return o
}

func (r *rule) matches(point, subject, arg string) bool {
	switch {
	case r.point == point:
	case r.any && inDialect(point, r.prefix):
	default:
		return false
	}
	if r.pattern != "" && !GlobMatch(strings.ToLower(r.pattern), strings.ToLower(subject)) {
		return false
	}
	if r.cond != nil && !r.cond(arg) {
		return false
	}
	return true
}

// inDialect reports whether point is one of the points of the dialect
// with prefix: it begins with the prefix, and no other dialect's prefix
// follows ("rcpt" is the bare dialect's, "pop3.retr" not).
func inDialect(point, prefix string) bool {
	rest, ok := strings.CutPrefix(point, prefix)
	return ok && !strings.Contains(rest, ".")
}

// GlobMatch matches s against a pattern where "*" stands for any run of
// characters and "?" for one.
func GlobMatch(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
