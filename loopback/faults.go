package loopback

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Faults is a set of rules that make the server misbehave on purpose, for
// people debugging their clients. Every rule is deterministic: it fires
// on the commands it names, not by chance. Rules combine: the delays of
// all rules that match a command add up, and the first matching rule that
// replies or drops the connection decides the outcome.
type Faults struct {
	rules []*rule
	// maxConn is the connection limit of a maxconn=N rule, 0 for none.
	maxConn int
	// grey is the greylist=DURATION rule, nil for none.
	grey *rule
	// lenientData is the smuggle:lenient rule: DATA is read as before
	// the fix for SMTP smuggling, a bare LF ending a line and <LF>.<LF>
	// the data, and bare CRs and LFs are stored as they come.
	lenientData bool
}

// smuggleLenient is the spec of the rule that turns strict DATA off.
const smuggleLenient = "smuggle:lenient"

// LenientData reports whether the smuggle:lenient rule is on: the server
// then reads DATA as servers open to SMTP smuggling do (CVE-2023-51764),
// for showing the attack; off by default.
func (f *Faults) LenientData() bool { return f != nil && f.lenientData }

// rule is one parsed --fault SPEC.
type rule struct {
	spec    string
	point   string // "connect", "rcpt", "dot", "any", "pop3.retr", …
	nth     int    // fire only on the Nth matching command; 0 for all
	pattern string // glob the command's subject must match; "" for any
	param   string // a MAIL parameter that must be present (ext= rules)

	delay time.Duration
	drop  bool
	smtp  *Reply
	pop3  *pop3Reply
	imap  *IMAPFault
	// wait is how much later a greylisted retry must come.
	wait time.Duration

	// seen counts matching events for rules counted server-wide
	// (connect, pop3.connect).
	seen atomic.Int64
}

// Rules returns the specs of the rules, as given.
func (f *Faults) Rules() []string {
	var out []string
	for _, r := range f.rules {
		out = append(out, r.spec)
	}
	if f.grey != nil {
		out = append(out, f.grey.spec)
	}
	if f.maxConn > 0 {
		out = append(out, "maxconn="+itoa(f.maxConn))
	}
	if f.lenientData {
		out = append(out, smuggleLenient)
	}
	return out
}

// Empty reports whether there are no rules.
func (f *Faults) Empty() bool { return f == nil || len(f.Rules()) == 0 }

// counts holds a session's counters for rules counted per session, and
// per transaction for RCPT.
type counts struct {
	session map[*rule]int
	tx      map[*rule]int
}

func (c *counts) resetTx() { c.tx = nil }

// scope says where the Nth of a point is counted: connections server-wide,
// RCPT per message (RFC 5321 §4.5.3.1.10 counts recipients per
// transaction), everything else per session.
func (c *counts) bump(r *rule) int {
	switch {
	case r.point == "connect" || r.point == "pop3.connect" || r.point == "imap.connect":
		return int(r.seen.Add(1))
	case r.point == "rcpt":
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

// outcome is what the rules decide for one command.
type outcome struct {
	delay time.Duration
	drop  bool
	smtp  *Reply
	pop3  *pop3Reply
	imap  *IMAPFault
	rule  *rule // the rule that replied or dropped
}

// decided reports whether a rule takes the place of the normal reply.
func (o outcome) decided() bool { return o.drop || o.smtp != nil || o.pop3 != nil || o.imap != nil }

// describe says what a deciding rule does, for the log.
func (o outcome) describe() string {
	switch {
	case o.smtp != nil:
		return "replies " + o.smtp.String()
	case o.pop3 != nil:
		return "replies " + o.pop3.String()
	case o.imap != nil:
		return "replies " + o.imap.Status + " " + o.imap.Text
	}
	return "drops the connection"
}

// applyRules applies the fault rules to an event of a session with the
// given counters: a delay is waited out here, a deciding rule logged.
func (c *conn) applyRules(point, subject, arg string, n *counts) outcome {
	o := c.srv.faults.check(point, subject, arg, n)
	if o.delay > 0 {
		c.sleep(o.delay)
	}
	if o.decided() {
		c.logf("fault rule %q %s", o.rule.spec, o.describe())
	}
	return o
}

// check applies the rules to an event at point: subject is what patterns
// match (the address for MAIL and RCPT, the client's IP at connect, the
// user at login, else the argument), arg the command's whole argument.
func (f *Faults) check(point, subject, arg string, c *counts) outcome {
	var o outcome
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
		o.delay += r.delay
		if !o.decided() && (r.drop || r.smtp != nil || r.pop3 != nil || r.imap != nil) {
			o.drop, o.smtp, o.pop3, o.imap, o.rule = r.drop, r.smtp, r.pop3, r.imap, r
		}
	}
	return o
}

func (r *rule) matches(point, subject, arg string) bool {
	switch {
	case r.point == point:
	case r.point == "any" && !strings.HasPrefix(point, "pop3.") && !strings.HasPrefix(point, "imap."):
	case r.point == "pop3.any" && strings.HasPrefix(point, "pop3."):
	case r.point == "imap.any" && strings.HasPrefix(point, "imap."):
	default:
		return false
	}
	if r.pattern != "" && !globMatch(strings.ToLower(r.pattern), strings.ToLower(subject)) {
		return false
	}
	if r.param != "" && !hasParam(arg, r.param) {
		return false
	}
	return true
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

// globMatch matches s against a pattern where "*" stands for any run of
// characters and "?" for one.
func globMatch(pattern, s string) bool {
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

// IMAPFault is the reply a fault rule gives to an IMAP command in place of
// the normal one: NO or BAD, with an optional response code.
type IMAPFault struct {
	Status string // "NO" or "BAD"
	Code   string // a response code such as "UNAVAILABLE", without brackets
	Text   string
}

// FaultCounts counts the commands of one session for rules that fire on
// the Nth (point#N); its zero value is ready.
type FaultCounts = counts

// IMAPFaultOutcome is what the rules decide for one IMAP command: after
// Delay, reply Reply in place of the normal one, or close the connection
// (Drop), or go on as usual.
type IMAPFaultOutcome struct {
	Delay time.Duration
	Drop  bool
	Reply *IMAPFault
	Spec  string // the rule that decided, for the log
}

// IMAPFault applies the fault rules to an IMAP command at point
// ("imap.fetch", "imap.connect"): subject is what patterns match (the
// user at login, the client's IP at connect, else the command's
// argument). Rules at imap.any apply at every point, the greeting
// included; their delays add up with the others'.
func (s *Server) IMAPFault(point, subject string, n *FaultCounts) IMAPFaultOutcome {
	o := s.faults.check(point, subject, subject, n)
	out := IMAPFaultOutcome{Delay: o.delay, Drop: o.drop, Reply: o.imap}
	if o.rule != nil {
		out.Spec = o.rule.spec
	}
	return out
}
