package proto

import (
	"slices"
	"strconv"
	"strings"
)

// imapLearnt is what the machine knows of an IMAP session besides its
// capabilities (in capa) and its messages (count, sizes, uids).
type imapLearnt struct {
	tagN      int      // the last tag mailsh gave: "a<tagN>"
	mailboxes []string // names LIST and LSUB returned, in their order
	selected  string   // the mailbox SELECT or EXAMINE opened
	readOnly  bool
	flags     []string // the selected mailbox's FLAGS

	// A command that waits on a "+" (a literal, AUTHENTICATE, IDLE)
	// leaves the state for a while: resume is where it goes back to.
	resume State
	// litLeft counts the octets of the literal being typed still to go;
	// litWait is the size of a literal announced and waiting for "+"
	// (litAwait).
	litLeft, litWait int64
	litAwait         bool
	litSecret        bool // the literal belongs to a command with a secret
}

// maxMailboxes caps the mailbox names learnt, against a hostile server.
const maxMailboxes = 10000

// nextTagLocked is the tag the next command typed without one gets.
func (m *Machine) nextTagLocked() string { return "a" + strconv.Itoa(m.imap.tagN+1) }

// splitIMAPTag separates a tag typed at the start of a line from the
// command: "a1 LOGIN …" has one, "LOGIN …" has none. A first word that is
// a command of the table is never a tag.
func splitIMAPTag(line string) (tag, rest string) {
	first, after, ok := strings.Cut(line, " ")
	if !ok || IMAPCommands.Lookup(first) != nil || first == "" {
		return "", line
	}
	for i := 0; i < len(first); i++ {
		// RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">.
		if c := first[i]; c <= ' ' || c >= 0x7f || strings.IndexByte("(){%*\"\\+", c) >= 0 {
			return "", line
		}
	}
	return first, strings.TrimLeft(after, " ")
}

// classifyIMAPLocked says what an IMAP line is: a command, to which a tag
// is given if it has none, or the continuation of one (a literal's
// octets, a SASL answer, IDLE's DONE).
func (m *Machine) classifyIMAPLocked(line string) *Cmd {
	c := &Cmd{Line: line, Shown: line, Valid: true}
	switch m.state {
	case IMAPLiteral:
		c.Cont = true
		left := m.imap.litLeft
		if int64(len(line))+2 <= left {
			// All of it is the literal's: more octets are to come.
			c.NoReply = true
			c.Body = !m.imap.litSecret
			if m.imap.litSecret {
				c.Secret, c.Shown = true, "[redacted]"
			}
			return c
		}
		rest := ""
		if left <= int64(len(line)) {
			rest = line[left:]
		}
		if m.imap.litSecret {
			c.Secret, c.Shown = true, "[redacted]"+rest
		}
		if _, nonSync, _, ok := imapLiteralAt(rest); ok && nonSync {
			c.NoReply = true
		}
		return c
	case IMAPSASL:
		c.Cont = true
		// RFC 9051 §6.2.2: "*" cancels the exchange.
		if line != "*" {
			c.Secret, c.Shown = true, "[redacted]"
		}
		return c
	case IMAPIdle:
		c.Cont, c.Verb = true, strings.ToUpper(strings.TrimSpace(line))
		return c
	}
	tag, rest := splitIMAPTag(line)
	if tag == "" {
		tag = m.nextTagLocked()
		c.Line = tag + " " + line
	}
	c.Tag = tag
	verb, arg := SplitCommand(rest)
	c.Verb, c.Arg = strings.ToUpper(verb), arg
	c.Shown = c.Line
	c.Spec = IMAPCommands.Lookup(verb)
	if c.Spec == nil {
		c.Valid = false
	} else {
		c.Valid = c.Spec.ValidIn(m.state)
		if c.Spec.Secret != nil && arg != "" {
			if shown := c.Spec.Secret(arg); shown != "" {
				c.Secret, c.Shown = true, tag+" "+shown
			}
		}
	}
	if _, nonSync, _, ok := imapLiteralAt(c.Line); ok && nonSync {
		c.NoReply = true
	}
	return c
}

// sentIMAPLocked records a line sent: a new command joins the pending
// ones; a literal's octets are counted off.
func (m *Machine) sentIMAPLocked(c *Cmd) {
	rest := c.Line
	if c.Cont {
		if m.state != IMAPLiteral {
			return // a SASL answer or DONE: the command is pending already
		}
		n := int64(len(c.Line)) + 2
		if n <= m.imap.litLeft {
			m.imap.litLeft -= n
			return
		}
		rest = ""
		if m.imap.litLeft <= int64(len(c.Line)) {
			rest = c.Line[m.imap.litLeft:]
		}
		m.imap.litLeft = 0
		m.state = m.imap.resume
	} else {
		c.From = m.state
		m.pending = append(m.pending, c)
		if c.Spec != nil && c.Spec.OnOK == IMAPSelected {
			m.deselectLocked()
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(c.Tag, "a")); err == nil && strings.HasPrefix(c.Tag, "a") && n > m.imap.tagN {
			m.imap.tagN = n
		}
		m.imap.litSecret = c.Secret || (c.Spec != nil && c.Spec.Secret != nil)
	}
	n, nonSync, _, ok := imapLiteralAt(rest)
	if !ok {
		return
	}
	if nonSync {
		m.imap.resume, m.state, m.imap.litLeft = m.state, IMAPLiteral, n
		if n == 0 {
			m.state = m.imap.resume
		}
		return
	}
	m.imap.litWait, m.imap.litAwait = n, true
}

// LiteralSent counts off n octets of the literal being sent, streamed
// rather than typed.
func (m *Machine) LiteralSent(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	if m.state == IMAPLiteral {
		m.imap.litLeft -= min(n, m.imap.litLeft)
	}
}

// receivedIMAPLocked applies a continuation request or a tagged
// completion.
func (m *Machine) receivedIMAPLocked(r *Reply) {
	if r.RespCode != "" {
		m.learnIMAPCodeLocked(r.RespCode)
	}
	if len(m.pending) > 0 && m.pending[0].Spec == imapGreetingCmd {
		c := m.pending[0]
		m.pending = m.pending[1:]
		m.applyLocked(c, r)
		return
	}
	if r.Status == "+" {
		if len(m.pending) == 0 {
			return
		}
		c := m.pending[len(m.pending)-1]
		if m.imap.litAwait {
			m.imap.resume, m.state, m.imap.litLeft = m.stableLocked(), IMAPLiteral, m.imap.litWait
			m.imap.litWait, m.imap.litAwait = 0, false
			return
		}
		if c.Spec != nil && c.Spec.OnCont != Same && m.state != c.Spec.OnCont {
			m.imap.resume, m.state = m.stableLocked(), c.Spec.OnCont
		}
		return
	}
	i := slices.IndexFunc(m.pending, func(c *Cmd) bool { return strings.EqualFold(c.Tag, r.Tag) })
	if i < 0 {
		return // a tag nobody used: the server is confused, or mailsh is
	}
	c := m.pending[i]
	m.pending = slices.Delete(m.pending, i, i+1)
	if m.state == IMAPSASL || m.state == IMAPIdle || m.state == IMAPLiteral {
		// The command that took the session there is over.
		m.state = m.imap.resume
	}
	m.imap.litLeft, m.imap.litWait, m.imap.litAwait = 0, 0, false
	m.applyLocked(c, r)
}

// stableLocked is the state to go back to after a continuation: the
// current one, unless it is itself a continuation.
func (m *Machine) stableLocked() State {
	switch m.state {
	case IMAPSASL, IMAPIdle, IMAPLiteral:
		return m.imap.resume
	}
	return m.state
}

// applyLocked applies a reply's class to the state through the command's
// row, then its effect.
func (m *Machine) applyLocked(c *Cmd, r *Reply) {
	if c == nil || c.Spec == nil {
		return
	}
	next := Same
	switch r.Class() {
	case ClassPositive:
		next = c.Spec.OnOK
	case ClassIntermediate:
		next = c.Spec.OnCont
	case ClassTransient, ClassPermanent:
		next = c.Spec.OnFail
	}
	if next != Same {
		m.state = next
	}
	if c.Spec.Effect != nil {
		c.Spec.Effect(m, c.Arg, r)
	}
}

// Untagged learns from an untagged IMAP response, given whole (literals
// in it replaced by their text, or by "{n}" when large): capabilities,
// mailbox names, the message count, UIDs, sizes and flags.
func (m *Machine) Untagged(resp string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	body := strings.TrimPrefix(resp, "* ")
	f := imapFields(body)
	if len(f) == 0 {
		return
	}
	switch up := strings.ToUpper(f[0]); up {
	case "OK", "NO", "BAD", "PREAUTH":
		r, err := ParseIMAPStatus([]byte(resp))
		if err == nil && r.RespCode != "" {
			m.learnIMAPCodeLocked(r.RespCode)
		}
	case "BYE":
		// The server closes next (RFC 9051 §7.1.5); LOGOUT's OK follows
		// a BYE too.
	case "CAPABILITY":
		m.setCapaLocked(f[1:])
	case "LIST", "LSUB":
		// * LIST (\HasNoChildren) "." INBOX
		if len(f) >= 4 {
			m.addMailboxLocked(f[3])
		}
	case "FLAGS":
		if len(f) >= 2 {
			m.imap.flags = imapList(f[1])
		}
	case "SEARCH", "ESEARCH", "ENABLED", "NAMESPACE", "ID", "STATUS", "VANISHED":
	default:
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 0 || n > maxMessages || len(f) < 2 {
			return
		}
		switch strings.ToUpper(f[1]) {
		case "EXISTS":
			m.setExistsLocked(n)
		case "EXPUNGE":
			m.expungeLocked(n)
		case "FETCH":
			if len(f) >= 3 {
				m.learnFetchLocked(n, imapList(f[2]))
			}
		}
	}
}

// learnIMAPCodeLocked learns from a response code: CAPABILITY in the
// greeting or after LOGIN, READ-ONLY, UIDNEXT and such are for the
// reader.
func (m *Machine) learnIMAPCodeLocked(code string) {
	name, rest, _ := strings.Cut(code, " ")
	switch strings.ToUpper(name) {
	case "CAPABILITY":
		m.setCapaLocked(strings.Fields(rest))
	case "READ-ONLY":
		m.imap.readOnly = true
	case "READ-WRITE":
		m.imap.readOnly = false
	}
}

func (m *Machine) setCapaLocked(caps []string) {
	m.capa = make(map[string]string, len(caps))
	m.capaKnown = true
	for _, c := range caps {
		if len(m.capa) >= MaxReplyLines {
			break
		}
		// AUTH=PLAIN AUTH=LOGIN become AUTH "PLAIN LOGIN", as the
		// mechanisms are listed elsewhere.
		if mech, ok := strings.CutPrefix(strings.ToUpper(c), "AUTH="); ok {
			m.capa["AUTH"] = strings.TrimSpace(m.capa["AUTH"] + " " + mech)
			continue
		}
		m.capa[strings.ToUpper(c)] = ""
	}
}

func (m *Machine) addMailboxLocked(name string) {
	if name == "" || slices.Contains(m.imap.mailboxes, name) || len(m.imap.mailboxes) >= maxMailboxes {
		return
	}
	m.imap.mailboxes = append(m.imap.mailboxes, name)
}

func (m *Machine) setExistsLocked(n int) {
	if n < m.count {
		for k := range m.uids {
			if k > n {
				delete(m.uids, k)
				delete(m.sizes, k)
			}
		}
	}
	m.count = n
}

// expungeLocked removes message n: the ones after it move down by one
// (RFC 9051 §7.5.1).
func (m *Machine) expungeLocked(n int) {
	if m.count <= 0 || n < 1 || n > m.count {
		return
	}
	for k := n; k < m.count; k++ {
		if u, ok := m.uids[k+1]; ok {
			m.uids[k] = u
		} else {
			delete(m.uids, k)
		}
		if s, ok := m.sizes[k+1]; ok {
			m.sizes[k] = s
		} else {
			delete(m.sizes, k)
		}
	}
	delete(m.uids, m.count)
	delete(m.sizes, m.count)
	m.count--
}

func (m *Machine) learnFetchLocked(n int, items []string) {
	if n > m.count {
		m.count = n
	}
	for i := 0; i+1 < len(items); i += 2 {
		switch strings.ToUpper(items[i]) {
		case "UID":
			m.uids[n] = items[i+1]
		case "RFC822.SIZE":
			if sz, err := strconv.ParseInt(items[i+1], 10, 64); err == nil {
				m.sizes[n] = sz
			}
		}
	}
}

func learnIMAPGreeting(m *Machine, _ string, r *Reply) {
	switch r.Status {
	case "PREAUTH":
		m.state, m.authed = IMAPAuth, true
	case "BYE":
		m.state = StateClosed
		m.closedBy = r
	}
}

func learnIMAPLogin(m *Machine, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.authed = true
		// RFC 9051 §6.2.2: capabilities may change after login; a server
		// that does not send them again leaves them to be asked.
		if !strings.HasPrefix(strings.ToUpper(r.RespCode), "CAPABILITY") {
			m.capaKnown = false
		}
	}
}

// learnSelect names the mailbox selected. What it holds was learnt from
// the untagged data before the completion; what the previous one held
// was forgotten when SELECT was sent (deselectLocked).
func learnSelect(m *Machine, arg string, r *Reply) {
	if r.Class() == ClassPositive {
		m.imap.selected = imapUnquote(arg)
	}
}

func learnUnselect(m *Machine, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.deselectLocked()
	}
}

// deselectLocked forgets the selected mailbox: SELECT and EXAMINE close
// the one selected before, even when they fail (RFC 9051 §6.3.2).
func (m *Machine) deselectLocked() {
	m.imap.selected, m.imap.readOnly, m.imap.flags = "", false, nil
	m.count = -1
	m.uids, m.sizes, m.deleted = map[int]string{}, map[int]int64{}, map[int]bool{}
}

func learnCreate(m *Machine, arg string, r *Reply) {
	if r.Class() == ClassPositive {
		m.addMailboxLocked(imapUnquote(arg))
	}
}

func learnDelete(m *Machine, arg string, r *Reply) {
	if r.Class() == ClassPositive {
		name := imapUnquote(arg)
		m.imap.mailboxes = slices.DeleteFunc(m.imap.mailboxes, func(s string) bool { return s == name })
	}
}

func learnRename(m *Machine, arg string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	f := imapFields(arg)
	if len(f) != 2 {
		return
	}
	for i, s := range m.imap.mailboxes {
		if s == f[0] {
			m.imap.mailboxes[i] = f[1]
		}
	}
}

// imapUnquote reads the first argument as a mailbox name: unquoted, with
// INBOX in any case as INBOX (RFC 9051 §5.1).
func imapUnquote(arg string) string {
	f := imapFields(arg)
	if len(f) == 0 {
		return ""
	}
	if strings.EqualFold(f[0], "INBOX") {
		return "INBOX"
	}
	return f[0]
}
