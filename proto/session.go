package proto

// The Session's methods are for a protocol's hooks and the effects of its
// command table, which run with the machine locked: none of them locks.
// Everyone else reads a Machine through its own methods and Snapshot.

// Proto returns the session's protocol.
func (s *Session) Proto() Protocol { return s.proto }

// Now returns the current state.
func (s *Session) Now() State { return s.state }

// Go moves the session to state st.
func (s *Session) Go(st State) { s.state = st }

// Waiting returns the commands sent whose replies have not come, oldest
// first. The slice is the session's own: change it with SetWaiting.
func (s *Session) Waiting() []*Cmd { return s.pending }

// SetWaiting replaces the commands waiting for replies.
func (s *Session) SetWaiting(cmds []*Cmd) { s.pending = cmds }

// Learnt returns what the protocol learnt of the session (its
// Hooks.NewLearnt's value).
func (s *Session) Learnt() any { return s.learnt }

// LoggedIn records a successful login.
func (s *Session) LoggedIn() { s.authed = true }

// QuitAccepted records that the server accepted the end of the session.
func (s *Session) QuitAccepted() { s.quit = true }

// ClosedBy records that the server ended the session with r.
func (s *Session) ClosedBy(r *Reply) {
	s.state, s.closedBy, s.pending = StateClosed, r, nil
}

// SetGreeting records the greeting's text.
func (s *Session) SetGreeting(text string) { s.greeting = text }

// SetCapabilities records what the server advertised (or, with known
// false, that it must be asked again).
func (s *Session) SetCapabilities(caps map[string]string, known bool) {
	s.capa, s.capaKnown = caps, known
}

// Capabilities returns what the server advertised, and whether it is
// known.
func (s *Session) Capabilities() (map[string]string, bool) { return s.capa, s.capaKnown }

// Messages returns how many messages the mailbox holds, -1 if not known.
func (s *Session) Messages() int { return s.count }

// SetMessages records how many messages the mailbox holds; -1 forgets
// them all.
func (s *Session) SetMessages(n int) {
	if n < 0 {
		s.count = -1
		s.sizes, s.uids, s.deleted = map[int]int64{}, map[int]string{}, map[int]bool{}
		return
	}
	if n < s.count {
		for k := range s.uids {
			if k > n {
				delete(s.uids, k)
			}
		}
		for k := range s.sizes {
			if k > n {
				delete(s.sizes, k)
			}
		}
	}
	s.count = n
}

// SetMessage records message n's unique id and size (size < 0, uid ""
// leave what is known).
func (s *Session) SetMessage(n int, uid string, size int64) {
	if uid != "" {
		s.uids[n] = uid
	}
	if size >= 0 {
		s.sizes[n] = size
	}
}

// Expunge removes message n: those after it move down by one (IMAP's
// EXPUNGE, RFC 9051 §7.5.1).
func (s *Session) Expunge(n int) {
	if s.count <= 0 || n < 1 || n > s.count {
		return
	}
	for k := n; k < s.count; k++ {
		if u, ok := s.uids[k+1]; ok {
			s.uids[k] = u
		} else {
			delete(s.uids, k)
		}
		if z, ok := s.sizes[k+1]; ok {
			s.sizes[k] = z
		} else {
			delete(s.sizes, k)
		}
	}
	delete(s.uids, s.count)
	delete(s.sizes, s.count)
	s.count--
}

// Apply applies a reply to command c through its row of the table: the
// state its class leads to, then the command's effect.
func (s *Session) Apply(c *Cmd, r *Reply) {
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
		s.state = next
	}
	if c.Spec.Effect != nil {
		c.Spec.Effect(s, c.Arg, r)
	}
}

// Locked runs f on the machine's session, with the machine locked: for a
// protocol's reader, to learn from data the server sent on its own.
func (m *Machine) Locked(f func(s *Session)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	f(&m.Session)
}

// MaxMessages caps the message numbers learnt, against a hostile server.
const MaxMessages = 1 << 22

// Greeting returns the greeting's text.
func (s *Session) Greeting() string { return s.greeting }

// Sizes, UIDs and Deleted are the session's own maps of what is known of
// each message by number: its size, its unique id, and whether it is
// marked deleted. Change them in place, or start afresh with
// ForgetSizes and Undelete.
func (s *Session) Sizes() map[int]int64  { return s.sizes }
func (s *Session) UIDs() map[int]string  { return s.uids }
func (s *Session) Deleted() map[int]bool { return s.deleted }

// SetCount records how many messages there are (-1: not known), and
// nothing else.
func (s *Session) SetCount(n int) { s.count = n }

// ForgetSizes forgets the sizes and the count, before a full listing.
func (s *Session) ForgetSizes() { s.sizes, s.count = map[int]int64{}, -1 }

// Undelete forgets the marks of deletion.
func (s *Session) Undelete() { s.deleted = map[int]bool{} }
