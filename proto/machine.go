package proto

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Machine follows a session's protocol state from the lines the client
// sends and the replies the server gives. It is driven by the command
// tables: each command's row says in which states it is valid and where
// each kind of reply leads. It never sends anything itself.
//
// A Machine is safe for concurrent use: the connection drives it while the
// shell's completer reads snapshots.
type Machine struct {
	mu sync.Mutex
	Session
}

// Session is what a Machine knows, as a protocol's hooks and the effects
// of its command table see it: they run with the machine locked, and
// read and change it through these fields and methods.
type Session struct {
	proto    Protocol
	state    State
	tls      bool
	authed   bool
	greeting string
	quit     bool   // QUIT was accepted
	closedBy *Reply // the 421 or 221 with which the server ended the session

	// Capabilities (POP3's CAPA, IMAP's CAPABILITY) and the mailbox's
	// messages (POP3's maildrop, IMAP's selected mailbox).
	capaKnown bool
	capa      map[string]string
	count     int
	sizes     map[int]int64
	uids      map[int]string
	deleted   map[int]bool
	// The messages as Snapshot lists them, kept until the machine
	// changes (gen counts changes), so that a TAB in a mailbox of
	// thousands does not list them again.
	gen       uint64
	msgs      []MessageInfo
	msgsGen   uint64
	msgsValid bool

	// learnt is the protocol's own (Spec.NewLearnt).
	learnt any

	// pending holds commands sent whose replies have not been read, oldest
	// first (more than one only when pipelining, RFC 2920).
	pending []*Cmd
}

// Cmd is a line the client sends, as the machine understands it.
type Cmd struct {
	// Spec is the command's row in the table; nil for a verb the table does
	// not know (it is still sent: seeing the server's 500 is instructive).
	Spec *Command
	Verb string // upper case
	Arg  string
	// Line is the line as sent, without CRLF.
	Line string
	// Shown is Line with any secret replaced, for screens and transcripts.
	Shown string
	// Secret is true if Line carries a password, digest or SASL answer.
	Secret bool
	// Body is true for a line of message text in SMTP DATA.
	Body bool
	// Valid is false if the command is not valid in the state it was sent
	// in (it is sent anyway; the server decides).
	Valid bool

	// IMAP. Tag is the command's tag ("a1"), given by mailsh when the
	// line had none (Line then starts with it). Cont marks a line that
	// continues a command sent before (a literal's octets, a SASL answer,
	// DONE). NoReply means nothing answers the line: the server waits for
	// more of the command. From is the state the command was sent in.
	Tag     string
	Cont    bool
	NoReply bool
	From    State
}

// NewMachine returns a machine for a session that has just connected and
// waits for the greeting.
func NewMachine(p Protocol) *Machine {
	m := &Machine{Session: Session{proto: p, state: StateGreeting, count: -1}}
	m.resetLearnt()
	if p.Spec().Unframed {
		m.state = p.Spec().AfterTLS // no greeting to wait for
		return m
	}
	m.pending = []*Cmd{{Spec: p.Spec().Greeting, Verb: "", Valid: true}}
	return m
}

func (m *Machine) resetLearnt() {
	m.capa = map[string]string{}
	m.capaKnown = false
	m.sizes = map[int]int64{}
	m.uids = map[int]string{}
	m.deleted = map[int]bool{}
	if h := m.proto.Spec().Hooks; h != nil && h.NewLearnt != nil {
		m.learnt = h.NewLearnt(m.learnt)
	}
}

// Protocol returns the machine's protocol.
func (m *Machine) Protocol() Protocol { return m.proto }

// State returns the current state.
func (m *Machine) State() State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Snapshot returns a copy of what the machine knows now.
func (m *Machine) Snapshot() *Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &Snapshot{
		Proto: m.proto, State: m.state, TLS: m.tls, Authenticated: m.authed,
		Greeting:  m.greeting,
		CapsKnown: m.capaKnown, Caps: copyMap(m.capa),
		Count: m.count, QuitAccepted: m.quit, ClosedBy: m.closedBy,
		Messages: m.messagesLocked(),
	}
	if h := m.proto.Spec().Hooks; h != nil && h.Fill != nil {
		h.Fill(&m.Session, s)
	}
	return s
}

func copyMap(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// Classify says what line would be if sent now, without recording it.
func (m *Machine) Classify(line string) *Cmd {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.classifyLocked(line)
}

func (m *Machine) classifyLocked(line string) *Cmd {
	if h := m.proto.Spec().Hooks; h != nil && h.Classify != nil {
		return h.Classify(&m.Session, line)
	}
	c := &Cmd{Line: line, Shown: line, Valid: true}
	switch sp := m.proto.Spec(); {
	case m.state.TakesText():
		// Message text, up to the line that ends it (SMTP's lone ".").
		if end := sp.EndText; end != nil && line == end.Name {
			c.Spec, c.Verb = end, end.Name
		} else {
			c.Body = true
		}
		return c
	case m.state.InSASL():
		c.Spec = m.proto.Spec().SASLAnswer
		// RFC 4954 §4, RFC 5034 §4: "*" cancels the exchange.
		if line != "*" {
			c.Secret, c.Shown = true, "[redacted]"
		}
		return c
	}
	verb, arg := SplitCommand(line)
	c.Verb, c.Arg = strings.ToUpper(verb), arg
	c.Spec = TableFor(m.proto).Lookup(verb)
	if c.Spec == nil {
		c.Valid = false
		return c
	}
	c.Valid = c.Spec.ValidIn(m.state)
	if c.Spec.Secret != nil && arg != "" {
		if shown := c.Spec.Secret(arg); shown != "" {
			c.Secret, c.Shown = true, shown
		}
	}
	return c
}

// SecretFrom says where a secret begins in a line being typed, in runes,
// or -1 if none shows yet: PASS's whole argument, AUTH's initial response
// after the mechanism, APOP's digest and LOGIN's password after the user
// name (an IMAP tag before the verb counted too). The shell's painter
// masks from there while the line is typed.
func (m *Machine) SecretFrom(line string) int {
	m.mu.Lock()
	p := m.proto
	m.mu.Unlock()
	orig, from := line, 0
	if tag, rest := SplitTag(p, line); tag != "" {
		from = len(line) - len(rest)
		line = rest
	}
	verb, rest, ok := strings.Cut(line, " ")
	if !ok {
		return -1
	}
	spec := TableFor(m.proto).Lookup(verb)
	if spec == nil || spec.Secret == nil {
		return -1
	}
	from += len(verb) + 1
	for range spec.SecretAfter {
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			return -1 // still typing what may be shown
		}
		from += i + 1
		rest = rest[i+1:]
	}
	if a := p.Spec().Announces; a != nil && a(strings.TrimSuffix(rest, "\n")) {
		return -1 // the secret comes next, as a literal
	}
	return utf8.RuneCountInString(orig[:from])
}

// Sent records that the client sent line, and returns what it was. Lines
// of message text in DATA expect no reply and are not queued.
func (m *Machine) Sent(line string) *Cmd {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	c := m.classifyLocked(line)
	if h := m.proto.Spec().Hooks; h != nil && h.Sent != nil {
		h.Sent(&m.Session, c)
		return c
	}
	if !c.Body {
		m.pending = append(m.pending, c)
	}
	return c
}

// Pending returns the oldest command still waiting for its reply, or nil.
func (m *Machine) Pending() *Cmd {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.pending) == 0 {
		return nil
	}
	return m.pending[0]
}

// Last returns the command sent last that still waits for its reply, or
// nil: the one an IMAP continuation request answers.
func (m *Machine) Last() *Cmd {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.pending) == 0 {
		return nil
	}
	return m.pending[len(m.pending)-1]
}

// PendingTag returns the pending IMAP command with the tag, or nil.
func (m *Machine) PendingTag(tag string) *Cmd {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.pending {
		if strings.EqualFold(c.Tag, tag) {
			return c
		}
	}
	return nil
}

// Received applies a complete reply to the oldest pending command and
// reports whether a POP3 multi-line body follows it. A reply with nothing
// pending (an unsolicited 421, say) is applied on its own.
func (m *Machine) Received(r *Reply) (multi bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if h := m.proto.Spec().Hooks; h != nil && h.Received != nil {
		h.Received(&m.Session, r)
		return false
	}
	var c *Cmd
	if len(m.pending) > 0 {
		c = m.pending[0]
		m.pending = m.pending[1:]
	}
	if m.proto.Spec().Closes(r, c) {
		m.state = StateClosed
		m.pending = nil
		m.closedBy = r
		return false
	}
	if c == nil || c.Spec == nil {
		return false
	}
	m.Apply(c, r)
	if spec := c.Spec; r.Class() == ClassPositive && spec.Multi != nil && spec.Multi(c.Arg) {
		// Keep the command at the head of the queue for BodyLine.
		m.pending = append([]*Cmd{c}, m.pending...)
		return true
	}
	return false
}

// BodyLearns reports whether the command whose multi-line body is coming
// learns from it (LIST, UIDL, CAPA), so that BodyLine need not be called
// for each line of the others (RETR, TOP).
func (m *Machine) BodyLearns() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending) > 0 && m.pending[0].Spec != nil && m.pending[0].Spec.Body != nil
}

// BodyLine learns from one decoded line of a POP3 multi-line body.
func (m *Machine) BodyLine(line []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if len(m.pending) == 0 {
		return
	}
	if c := m.pending[0]; c.Spec != nil && c.Spec.Body != nil {
		c.Spec.Body(&m.Session, c.Arg, line)
	}
}

// BodyDone marks the end of a POP3 multi-line body.
func (m *Machine) BodyDone() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if len(m.pending) > 0 {
		m.pending = m.pending[1:]
	}
}

// StartedTLS records a completed TLS handshake. After STARTTLS (RFC 3207
// §4.2) or STLS (RFC 2595 §4) the client must forget what the server said
// before, so the machine forgets the extensions and the SMTP greeting.
func (m *Machine) StartedTLS() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	m.tls = true
	m.resetLearnt()
	m.state = m.proto.Spec().AfterTLS
}

// SetTLS records that the connection was encrypted from the start
// (implicit TLS, RFC 8314).
func (m *Machine) SetTLS() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	m.tls = true
}

// Closed records that the connection is gone.
func (m *Machine) Closed() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	m.state = StateClosed
	m.pending = nil
}

// Abandon drops the pending commands, as after an error that leaves the
// session out of step.
func (m *Machine) Abandon() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	m.pending = nil
}
