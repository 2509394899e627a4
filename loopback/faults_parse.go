package loopback

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A FaultDialect is a protocol's part of the fault rules: the points its
// rules can name, the form of its replies, and rules of its own that are
// not POINT:ACTION. Its package declares it; the command line hands the
// dialects to ParseFaults.
type FaultDialect struct {
	// Prefix begins the dialect's points ("pop3."); "" for the one
	// dialect whose points are bare ("rcpt").
	Prefix string
	// Points are the points, without the prefix, in the order an error
	// lists them. "connect" is counted server-wide, "any" matches every
	// point of the dialect.
	Points []string
	// PerTransaction are the points whose #N counts within a
	// transaction rather than a session.
	PerTransaction []string
	// IsReply reports whether an action (in lower case) has the form of
	// one of the dialect's replies, as its first word shows; a rule is
	// split at the ":" before such an action.
	IsReply func(action string) bool
	// ParseReply reads a rule's action other than drop and delay= at one
	// of the dialect's points, or says which actions the point takes.
	// spec is the whole rule, which a reply without text names.
	ParseReply func(point, action, spec string) (fmt.Stringer, error)
	// Special, if set, reads a rule of the dialect's own form; ok false
	// if spec is not one.
	Special func(spec string) (sp FaultSpecial, ok bool, err error)
}

// FaultSpecial is what a dialect makes of a rule of its own form: a rule
// it spells as POINT:ACTION (Expand), a rule with a condition on the
// command's argument (Point, Reply, Cond), or a setting (Setting).
type FaultSpecial struct {
	// Expand is the POINT[#N][~PATTERN]:ACTION the rule stands for.
	Expand string
	// Point, Reply and Cond make a rule that replies at Point when Cond
	// (if set) holds for the command's argument.
	Point string
	Reply fmt.Stringer
	Cond  func(arg string) bool
	// Setting names a setting, with the Value the dialect reads back
	// and the Spec Rules shows.
	Setting string
	Value   any
	Spec    string
}

// ParseFaults parses --fault SPECs in the dialects given.
func ParseFaults(specs []string, dialects ...*FaultDialect) (*Faults, error) {
	f := &Faults{}
	p := parser{f: f, dialects: dialects}
	for _, spec := range specs {
		if err := p.add(spec); err != nil {
			return nil, fmt.Errorf("bad --fault %q: %w", spec, err)
		}
	}
	return f, nil
}

// maxFaultDelay bounds a delay rule, so that a typo cannot hang a client
// for days.
const maxFaultDelay = time.Hour

// parser reads rules into f.
type parser struct {
	f        *Faults
	dialects []*FaultDialect
}

func (p *parser) set(name string, st FaultSetting) {
	if p.f.settings == nil {
		p.f.settings = map[string]FaultSetting{}
	}
	p.f.settings[name] = st
}

func (p *parser) add(spec string) error {
	s := strings.TrimSpace(spec)
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "maxconn=") {
		n, err := strconv.Atoi(s[len("maxconn="):])
		if err != nil || n < 1 {
			return errors.New("maxconn= takes a number of connections, 1 or more, as in maxconn=2")
		}
		p.set(maxConnSetting, FaultSetting{Spec: "maxconn=" + strconv.Itoa(n), Value: n})
		return nil
	}
	for _, d := range p.dialects {
		if d.Special == nil {
			continue
		}
		sp, ok, err := d.Special(s)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		switch {
		case sp.Setting != "":
			p.set(sp.Setting, FaultSetting{Spec: sp.Spec, Value: sp.Value})
			return nil
		case sp.Expand == "":
			r := &rule{spec: s, point: sp.Point, reply: sp.Reply, cond: sp.Cond}
			r.scope = p.scope(d, sp.Point)
			p.f.rules = append(p.f.rules, r)
			return nil
		}
		s = sp.Expand
		break
	}
	head, action, err := p.splitRule(s)
	if err != nil {
		return err
	}
	r := &rule{spec: strings.TrimSpace(spec)}
	d, err := p.parseHead(r, head)
	if err != nil {
		return err
	}
	if err := r.parseAction(d, action); err != nil {
		return err
	}
	p.f.rules = append(p.f.rules, r)
	return nil
}

// splitRule finds the ":" between POINT[#N][~PATTERN] and ACTION. A
// pattern may hold ":" (an IPv6 address), so it is the first ":" that an
// action follows.
func (p *parser) splitRule(s string) (head, action string, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		a := strings.TrimSpace(s[i+1:])
		if a != "" && p.isAction(strings.ToLower(a)) {
			return strings.TrimSpace(s[:i]), a, nil
		}
	}
	return "", "", errors.New(`write POINT[#N][~PATTERN]:ACTION, as in rcpt#3:452, where ACTION is a reply code, -ERR, drop or delay=DURATION`)
}

// isAction reports whether la (lower case) begins an action: drop,
// delay=, or a dialect's reply.
func (p *parser) isAction(la string) bool {
	if la == "drop" || strings.HasPrefix(la, "delay=") {
		return true
	}
	for _, d := range p.dialects {
		if d.IsReply(la) {
			return true
		}
	}
	return false
}

// parseHead reads POINT[#N][~PATTERN] into r and returns the dialect the
// point is of.
func (p *parser) parseHead(r *rule, head string) (*FaultDialect, error) {
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
				return nil, fmt.Errorf("after # comes a count from 1, as in rcpt#3, not %q", num)
			}
			r.nth = n
		}
		if strings.HasPrefix(rest, "~") {
			r.pattern = rest[1:]
			if r.pattern == "" {
				return nil, errors.New("~ needs a pattern, as in rcpt~*@example.com")
			}
		}
	}
	r.point = strings.ToLower(strings.TrimSpace(point))
	d := p.dialectOf(r.point)
	if d == nil {
		return nil, fmt.Errorf("unknown point %q; the points are %s", point, strings.Join(p.points(), ", "))
	}
	name := strings.TrimPrefix(r.point, d.Prefix)
	r.any, r.prefix = name == "any", d.Prefix
	r.scope = p.scope(d, r.point)
	return d, nil
}

// scope says where the Nth of a dialect's point is counted.
func (p *parser) scope(d *FaultDialect, point string) faultScope {
	name := strings.TrimPrefix(point, d.Prefix)
	switch {
	case name == "connect":
		return scopeServer
	case slices.Contains(d.PerTransaction, name):
		return scopeTransaction
	}
	return scopeSession
}

// dialectOf finds the dialect that has point, nil if none does.
func (p *parser) dialectOf(point string) *FaultDialect {
	for _, d := range p.dialects {
		name, ok := strings.CutPrefix(point, d.Prefix)
		if ok && slices.Contains(d.Points, name) {
			return d
		}
	}
	return nil
}

// points lists every dialect's points, prefixed, in the dialects' order.
func (p *parser) points() []string {
	var pts []string
	for _, d := range p.dialects {
		for _, n := range d.Points {
			pts = append(pts, d.Prefix+n)
		}
	}
	return pts
}

func (r *rule) parseAction(d *FaultDialect, a string) error {
	la := strings.ToLower(a)
	switch {
	case la == "drop":
		r.drop = true
		return nil
	case strings.HasPrefix(la, "delay="):
		dl, err := ParseFaultDelay(a[len("delay="):])
		if err != nil {
			return err
		}
		r.delay = dl
		return nil
	}
	rep, err := d.ParseReply(r.point, a, r.spec)
	if err != nil {
		return err
	}
	r.reply = rep
	return nil
}

// FaultCodeAndText reads the [CODE] TEXT after a status word (RFC 2449
// §8, RFC 9051 §7.1): the code in brackets, if any, and the text, which
// says the rule spec made it when none is given. example shows the form.
func FaultCodeAndText(rest, spec, example string) (code, text string, err error) {
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
		text = "Refused (fault rule " + spec + ")"
	}
	if strings.ContainsAny(text+code, "\r\n") {
		return "", "", errors.New("the reply text cannot hold a line break")
	}
	return code, text, nil
}

// ParseFaultDelay reads a rule's DURATION: positive, at most an hour.
func ParseFaultDelay(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 || d > maxFaultDelay {
		return 0, fmt.Errorf("bad duration %q: give one such as 500ms, 2s or 1m (at most 1h)", v)
	}
	return d, nil
}
