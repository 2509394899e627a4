package imap

import (
	"crypto/tls"
	"github.com/mailsh/mailsh/loopback"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// session is one IMAP connection: go-imap reads the commands and calls
// these methods in the states RFC 9051 §3 allows.
type session struct {
	srv  *Server
	conn *imapserver.Conn
	id   int64
	ip   net.IP
	// tc is the connection under conn (and under TLS), which a FETCH of
	// many messages corks.
	tc *trackedConn

	// Not authenticated (RFC 9051 §3.1).
	authFailures int

	// Authenticated, from login to the end.
	account string
	maildir string

	// Selected: the mailbox and this session's view of it.
	view *view

	// faults counts commands for fault rules that fire on the Nth.
	faults loopback.FaultCounts

	started time.Time
}

// newSession starts a session for a connection go-imap accepted.
func (s *Server) newSession(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	nc := c.NetConn()
	ss := &session{srv: s, conn: c, id: s.nextID.Add(1), ip: remoteIP(nc), tc: trackedOf(nc), started: time.Now()}
	s.mu.Lock()
	s.sessions[ss] = true
	s.mu.Unlock()
	s.lb.Logf("imap#%d connection from %s", ss.id, nc.RemoteAddr())
	return ss, nil, nil
}

// fault applies the fault rules at point (imap.fetch, imap.login …) with
// subject for their patterns: it waits a delay rule's time, then returns
// the NO or BAD that replaces the command's reply, or closes the
// connection for drop. nil: go on as usual.
func (ss *session) fault(point, subject string) error {
	o := checkFaults(ss.srv.lb.Faults(), point, subject, &ss.faults)
	if o.Delay > 0 {
		ss.srv.lb.Wait(o.Delay)
	}
	switch {
	case o.Drop:
		ss.srv.lb.Logf("imap#%d fault rule %q drops the connection", ss.id, o.Spec)
		ss.conn.NetConn().Close()
		return &imap.Error{Type: imap.StatusResponseTypeBye, Text: "Dropped (fault rule " + o.Spec + ")"}
	case o.Reply != nil:
		ss.srv.lb.Logf("imap#%d fault rule %q replies %s %s", ss.id, o.Spec, o.Reply.Status, o.Reply.Text)
		t := imap.StatusResponseTypeNo
		if o.Reply.Status == "BAD" {
			t = imap.StatusResponseTypeBad
		}
		return &imap.Error{Type: t, Code: imap.ResponseCode(o.Reply.Code), Text: o.Reply.Text}
	}
	return nil
}

// Close ends the session.
func (ss *session) Close() error {
	ss.srv.mu.Lock()
	delete(ss.srv.sessions, ss)
	ss.srv.mu.Unlock()
	ss.srv.lb.Logf("imap#%d closed after %s", ss.id, time.Since(ss.started).Round(time.Millisecond))
	return nil
}

// isTLS reports whether the connection is under TLS now.
func (ss *session) isTLS() bool {
	_, ok := ss.conn.NetConn().(*tls.Conn)
	return ok
}

// untagged writes an untagged response line of this package's own, as
// go-imap offers no writer for one during LOGIN or AUTHENTICATE. go-imap
// flushes each response it writes, so nothing of its own is waiting in
// its buffer, and no other goroutine writes before a login has ended.
func (ss *session) untagged(line string) {
	nc := ss.conn.NetConn()
	nc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	nc.Write([]byte("* " + line + "\r\n"))
}

// Login checks a user name and password, for LOGIN and for AUTHENTICATE
// PLAIN (RFC 4616), with the same guard as SMTP and POP3: a failure waits
// the client address's growing delay, an unknown user and a wrong
// password get the same reply, and after MaxAuthFailures the connection
// is closed. Without TLS go-imap lets it be called only from this machine
// (the lenient server); the client is told, with an ALERT it must show
// (RFC 9051 §7.1), that the password crossed the connection in clear
// text.
func (ss *session) Login(user, pass string) error {
	if err := ss.fault("imap.login", user); err != nil {
		return err
	}
	var name string
	ok, _, err := ss.srv.lb.GuardLogin(ss.ip, func() bool {
		a, ok := ss.srv.lb.Authenticate(user, pass)
		name = a.Name
		return ok
	})
	if err != nil {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable, Text: "Server shutting down"}
	}
	if !ok {
		ss.authFailures++
		ss.srv.lb.Logf("imap#%d login failed (%d)", ss.id, ss.authFailures)
		if ss.authFailures >= ss.srv.lb.Limits().MaxAuthFailures {
			// RFC 9051 §7.1.5: BYE, then close.
			ss.untagged("BYE [AUTHENTICATIONFAILED] Too many failed logins, closing the connection")
			ss.conn.NetConn().Close()
		}
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid user name or password"}
	}
	ss.account = name
	ss.maildir = ss.srv.store.Maildir(name)
	if err := ensureMaildir(ss.maildir); err != nil {
		return err
	}
	how := "with TLS"
	if !ss.isTLS() {
		how = "without TLS"
		ss.untagged("OK [ALERT] Your password crossed the connection in clear text (no TLS); " +
			"allowed from this machine only: use STARTTLS or IMAPS elsewhere")
	}
	ss.srv.lb.Logf("imap#%d logged in as %s %s", ss.id, name, how)
	return nil
}

// AppendLimit is the largest message APPEND takes: the server's
// --max-size, as SMTP's SIZE (RFC 7889).
func (ss *session) AppendLimit() uint32 {
	n := ss.srv.lb.Limits().MaxMessageSize
	if n > 1<<32-1 {
		n = 1<<32 - 1
	}
	return uint32(n)
}

// Select opens a mailbox (RFC 9051 §6.3.2) or, read-only, examines it
// (§6.3.3). Selecting it read-write moves its messages from new/ to cur/,
// as Dovecot does: the client has now been told of them.
func (ss *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	if err := ss.fault(selectPoint(options), name); err != nil {
		return nil, err
	}
	ss.Unselect()
	dir, err := ss.openFolder(name, false)
	if err != nil {
		return nil, err
	}
	v := &view{ss: ss, dir: dir, readOnly: options.ReadOnly}
	msgs, gen, validity, next, err := ss.srv.listing(dir, !options.ReadOnly, lookConfirm, 0)
	if err != nil {
		return nil, err
	}
	// A listing made by moving messages to cur/, or read while the
	// folder's times were recent, is compared with the directories once
	// they have settled, now rather than at the next command, which
	// go-imap polls after (it does not after SELECT). If another program
	// changed the folder meanwhile, the view starts from the new listing.
	if again, g, val, n, err := ss.srv.listing(dir, !options.ReadOnly, lookConfirm, gen); err == nil && g != gen {
		msgs, gen, validity, next = again, g, val, n
	}
	v.msgs, v.gen, v.validity, v.next = msgs, gen, validity, next
	ss.view = v
	data := &imap.SelectData{
		Flags:       systemFlags,
		NumMessages: uint32(len(msgs)),
		UIDNext:     next,
		UIDValidity: validity,
	}
	if !options.ReadOnly {
		data.PermanentFlags = systemFlags
	}
	for i := range msgs {
		if !strings.ContainsRune(msgs[i].flags(), 'S') {
			data.FirstUnseenSeqNum = uint32(i + 1)
			break
		}
	}
	return data, nil
}

// Unselect leaves the selected mailbox (RFC 9051 §6.4.2, and CLOSE, after
// which go-imap expunges).
func (ss *session) Unselect() error {
	if err := ss.fault("imap.unselect", ""); err != nil {
		return err
	}
	ss.view = nil
	return nil
}

// Poll tells the client what changed in the selected mailbox since the
// last command (RFC 9051 §7.4.1, §5.2): new messages, flags changed by
// other sessions, and, where allowed, messages removed (by POP3, another
// IMAP session, or mutt).
func (ss *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if ss.view == nil {
		return nil
	}
	return ss.view.poll(w, allowExpunge, lookConfirm)
}

// Idle waits for changes (RFC 2177): an SMTP delivery, a POP3 QUIT that
// deleted or another IMAP session's change is heard of at once through the
// Store; changes by other programs are found by looking at the folder's
// directories every few seconds.
func (ss *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := ss.fault("imap.idle", ""); err != nil {
		return err
	}
	changes, cancel := ss.srv.store.Watch(ss.account)
	defer cancel()
	t := time.NewTicker(idleLook)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-changes:
			if ss.view != nil {
				if err := ss.view.poll(w, true, lookRead); err != nil {
					return err
				}
			}
		case <-t.C:
			if ss.view != nil {
				if err := ss.view.poll(w, true, lookConfirm); err != nil {
					return err
				}
			}
		}
	}
}

// idleLook is how often a session in IDLE looks at its folder's
// directories for changes made by other programs.
const idleLook = 5 * time.Second

// selectPoint is the fault point of SELECT, or of EXAMINE (a read-only
// SELECT to go-imap).
func selectPoint(options *imap.SelectOptions) string {
	if options != nil && options.ReadOnly {
		return "imap.examine"
	}
	return "imap.select"
}
