package proto

import (
	"slices"
	"strings"
)

// Snapshot is a copy of what a Machine knows at one moment. The completer
// and the shell read snapshots, so they never race with the connection.
type Snapshot struct {
	Proto Protocol
	State State
	// TLS is true once the connection is encrypted.
	TLS bool
	// Authenticated is true after a successful AUTH, PASS or APOP.
	Authenticated bool
	// Greeting is the text of the server's greeting.
	Greeting string
	// QuitAccepted is true once the server accepted QUIT: the session
	// ended normally.
	QuitAccepted bool
	// ClosedBy is the reply with which the server ended the session on
	// its own (a 421, or a 221 to anything but QUIT), or nil.
	ClosedBy *Reply

	// CapsKnown is true once the server said what it offers: an EHLO
	// reply, a CAPA response, a CAPABILITY list. Caps maps each keyword
	// it gave (upper case) to its parameters.
	CapsKnown bool
	Caps      map[string]string

	// A mail transaction.

	// Greeted is true after EHLO or HELO was accepted.
	Greeted bool
	// Senders are the addresses given in MAIL so far, oldest first.
	Senders []string
	// Recipients are the accepted recipients of the open transaction.
	Recipients []string
	// Used are all addresses given in MAIL or RCPT, oldest first.
	Used []string

	// A maildrop or mailbox.

	// APOPStamp is the greeting's timestamp, if it had one (RFC 1939 §7).
	APOPStamp string
	// Count is the number of messages in the maildrop, -1 if not known.
	Count int
	// Messages are the live (not deleted) messages, by number; snapshots
	// taken while the machine is unchanged share the list: do not modify.
	Messages []MessageInfo

	// Tags, mailboxes and literals.

	// NextTag is the tag the next command typed without one gets.
	NextTag string
	// Mailboxes are the names LIST and LSUB returned, and those created.
	Mailboxes []string
	// Mailbox is the selected mailbox, ReadOnly true if EXAMINE opened it
	// or the server said READ-ONLY; Flags are its FLAGS.
	Mailbox  string
	ReadOnly bool
	Flags    []string
	// LiteralLeft counts the octets of a literal still to be typed;
	// LiteralSecret is true if they belong to a command with a secret
	// (a password sent as a literal).
	LiteralLeft   int64
	LiteralSecret bool
}

// MessageInfo is a message's number, its size (-1 if not known yet) and
// its unique id (POP3's UIDL, IMAP's UID), as far as the server told.
type MessageInfo struct {
	Num  int
	Size int64
	UID  string
}

// Has reports whether the server advertised an extension: an EHLO keyword
// for SMTP, a CAPA tag for POP3. For POP3, a server that never answered
// CAPA is assumed to support everything (RFC 2449 §5: CAPA is optional).
func (s *Snapshot) Has(ext string) bool {
	_, ok := s.Proto.Spec().Advertised(s, ext)
	return ok
}

// AuthMechanisms lists the SASL mechanisms the server advertised: the
// EHLO AUTH keyword (RFC 4954 §3) or the CAPA SASL tag (RFC 5034 §3).
func (s *Snapshot) AuthMechanisms() []string {
	sp := s.Proto.Spec()
	v, _ := sp.Advertised(s, sp.Mechanisms)
	return strings.Fields(strings.ToUpper(v))
}

// Offers reports whether command c may be sent now: valid in the state,
// its extension advertised, and its own condition met.
func (s *Snapshot) Offers(c *Command) bool {
	if !c.ValidIn(s.State) {
		return false
	}
	if c.Ext != "" && !s.Has(c.Ext) {
		return false
	}
	return c.Offer == nil || c.Offer(s)
}

// Commands returns the commands that may be sent now.
func (s *Snapshot) Commands() []*Command {
	var out []*Command
	for _, c := range TableFor(s.Proto) {
		if s.Offers(c) {
			out = append(out, c)
		}
	}
	return out
}

// messagesLocked returns the messages, listed again only after a change;
// snapshots share the list, which nobody may modify.
func (m *Machine) messagesLocked() []MessageInfo {
	if !m.msgsValid || m.msgsGen != m.gen {
		m.msgs, m.msgsGen, m.msgsValid = m.listMessagesLocked(), m.gen, true
	}
	return m.msgs
}

func (m *Machine) listMessagesLocked() []MessageInfo {
	var out []MessageInfo
	if m.count >= 0 {
		for n := 1; n <= m.count; n++ {
			if !m.deleted[n] {
				size, ok := m.sizes[n]
				if !ok {
					size = -1
				}
				out = append(out, MessageInfo{Num: n, Size: size, UID: m.uids[n]})
			}
		}
		return out
	}
	nums := make([]int, 0, len(m.sizes))
	for n := range m.sizes {
		if !m.deleted[n] {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	out = make([]MessageInfo, len(nums))
	for i, n := range nums {
		out[i] = MessageInfo{Num: n, Size: m.sizes[n], UID: m.uids[n]}
	}
	return out
}
