package imap

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// untagged learns from an untagged response, given whole (literals in it
// replaced by their text, or by "{n}" when large): capabilities, mailbox
// names, the message count, UIDs, sizes and flags.
func untagged(s *proto.Session, resp string) {
	body := strings.TrimPrefix(resp, "* ")
	f := fields(body)
	if len(f) == 0 {
		return
	}
	switch up := strings.ToUpper(f[0]); up {
	case "OK", "NO", "BAD", "PREAUTH":
		r, err := parseStatus([]byte(resp))
		if err == nil && r.RespCode != "" {
			learnCode(s, r.RespCode)
		}
	case "BYE":
		// The server closes next (RFC 9051 §7.1.5); LOGOUT's OK follows
		// a BYE too.
	case "CAPABILITY":
		setCapabilities(s, f[1:])
	case "LIST", "LSUB":
		// * LIST (\HasNoChildren) "." INBOX
		if len(f) >= 4 {
			addMailbox(of(s), f[3])
		}
	case "FLAGS":
		if len(f) >= 2 {
			of(s).flags = list(f[1])
		}
	case "SEARCH", "ESEARCH", "ENABLED", "NAMESPACE", "ID", "STATUS", "VANISHED":
	default:
		n, err := strconv.Atoi(f[0])
		if err != nil || n < 0 || n > proto.MaxMessages || len(f) < 2 {
			return
		}
		switch strings.ToUpper(f[1]) {
		case "EXISTS":
			s.SetMessages(n)
		case "EXPUNGE":
			s.Expunge(n)
		case "FETCH":
			if len(f) >= 3 {
				learnFetch(s, n, list(f[2]))
			}
		}
	}
}

// learnCode learns from a response code: CAPABILITY in the greeting or
// after LOGIN, READ-ONLY and READ-WRITE; UIDNEXT and such are for the
// reader.
func learnCode(s *proto.Session, code string) {
	name, rest, _ := strings.Cut(code, " ")
	switch strings.ToUpper(name) {
	case "CAPABILITY":
		setCapabilities(s, strings.Fields(rest))
	case "READ-ONLY":
		of(s).readOnly = true
	case "READ-WRITE":
		of(s).readOnly = false
	}
}

func setCapabilities(s *proto.Session, caps []string) {
	m := make(map[string]string, len(caps))
	for _, c := range caps {
		if len(m) >= proto.MaxReplyLines {
			break
		}
		// AUTH=PLAIN AUTH=LOGIN become AUTH "PLAIN LOGIN", as the
		// mechanisms are listed elsewhere.
		if mech, ok := strings.CutPrefix(strings.ToUpper(c), "AUTH="); ok {
			m["AUTH"] = strings.TrimSpace(m["AUTH"] + " " + mech)
			continue
		}
		m[strings.ToUpper(c)] = ""
	}
	s.SetCapabilities(m, true)
}

func addMailbox(l *learnt, name string) {
	if name == "" || slices.Contains(l.mailboxes, name) || len(l.mailboxes) >= maxMailboxes {
		return
	}
	l.mailboxes = append(l.mailboxes, name)
}

func learnFetch(s *proto.Session, n int, items []string) {
	uid, size := "", int64(-1)
	for i := 0; i+1 < len(items); i += 2 {
		switch strings.ToUpper(items[i]) {
		case "UID":
			uid = items[i+1]
		case "RFC822.SIZE":
			if sz, err := strconv.ParseInt(items[i+1], 10, 64); err == nil {
				size = sz
			}
		}
	}
	if n > s.Messages() {
		s.SetMessages(n)
	}
	s.SetMessage(n, uid, size)
}

func learnGreeting(s *proto.Session, _ string, r *proto.Reply) {
	s.SetGreeting(r.Message())
	switch r.Status {
	case "PREAUTH":
		s.Go(Auth)
		s.LoggedIn()
	case "BYE":
		s.ClosedBy(r)
	}
}

func learnLogin(s *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		s.LoggedIn()
		// RFC 9051 §6.2.2: capabilities may change after login; a server
		// that does not send them again leaves them to be asked.
		if !strings.HasPrefix(strings.ToUpper(r.RespCode), "CAPABILITY") {
			caps, _ := s.Capabilities()
			s.SetCapabilities(caps, false)
		}
	}
}

func learnLogout(s *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		s.QuitAccepted()
	}
}

// learnSelect names the mailbox selected. What it holds was learnt from
// the untagged data before the completion; what the previous one held
// was forgotten when SELECT was sent (deselect).
func learnSelect(s *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		of(s).selected = unquote(arg)
	}
}

func learnUnselect(s *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		deselect(s)
	}
}

// deselect forgets the selected mailbox: SELECT and EXAMINE close the one
// selected before, even when they fail (RFC 9051 §6.3.2).
func deselect(s *proto.Session) {
	l := of(s)
	l.selected, l.readOnly, l.flags = "", false, nil
	s.SetMessages(-1)
}

func learnCreate(s *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		addMailbox(of(s), unquote(arg))
	}
}

func learnDelete(s *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		name := unquote(arg)
		l := of(s)
		l.mailboxes = slices.DeleteFunc(l.mailboxes, func(m string) bool { return m == name })
	}
}

func learnRename(s *proto.Session, arg string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	f := fields(arg)
	if len(f) != 2 {
		return
	}
	l := of(s)
	for i, m := range l.mailboxes {
		if m == f[0] {
			l.mailboxes[i] = f[1]
		}
	}
}

// unquote reads the first argument as a mailbox name: unquoted, with
// INBOX in any case as INBOX (RFC 9051 §5.1).
func unquote(arg string) string {
	f := fields(arg)
	if len(f) == 0 {
		return ""
	}
	if strings.EqualFold(f[0], "INBOX") {
		return "INBOX"
	}
	return f[0]
}
