package loopback

import (
	"crypto/subtle"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
)

// pop3Handler runs one command whose state and syntax were checked.
type pop3Handler func(s *pop3Session, arg string) error

// pop3HandlerFor is the dispatch: the handler of each command of
// pop3.Commands, which says in which states each is valid.
func pop3HandlerFor(name string) pop3Handler {
	switch name {
	case "USER":
		return (*pop3Session).user
	case "PASS":
		return (*pop3Session).pass
	case "APOP":
		return (*pop3Session).apop
	case "AUTH":
		return (*pop3Session).auth
	case "CAPA":
		return (*pop3Session).capa
	case "STLS":
		return (*pop3Session).stls
	case "STAT":
		return (*pop3Session).stat
	case "LIST":
		return (*pop3Session).list
	case "RETR":
		return (*pop3Session).retr
	case "TOP":
		return (*pop3Session).top
	case "DELE":
		return (*pop3Session).dele
	case "UIDL":
		return (*pop3Session).uidl
	case "NOOP":
		return (*pop3Session).noop
	case "RSET":
		return (*pop3Session).rset
	case "QUIT":
		return (*pop3Session).quit
	}
	return nil
}

// user takes the mailbox name (RFC 1939 §7). It says +OK for any name, so
// that names cannot be guessed one by one.
func (s *pop3Session) user(arg string) error {
	if !s.loginAllowed() {
		return s.send(pNeedsTLS)
	}
	s.userGiven, s.userName = true, arg
	return s.send(pUserOK(arg))
}

// pass checks the password given after USER (RFC 1939 §7); a failure
// returns to the AUTHORIZATION state.
func (s *pop3Session) pass(arg string) error {
	s.userGiven = false
	var a Account
	ok, delay, err := s.checkLogin(func() bool {
		var ok bool
		a, ok = s.srv.checkPassword(s.userName, arg)
		return ok
	})
	switch {
	case err != nil:
		return s.shutdownReply()
	case !ok:
		return s.failed("USER/PASS", delay)
	}
	return s.login(a.Name, "USER/PASS")
}

// apop checks an APOP digest (RFC 1939 §7): the MD5 of the greeting's
// timestamp and the password, computed by pop3.APOPDigest as the client
// does.
func (s *pop3Session) apop(arg string) error {
	if !s.loginAllowed() {
		return s.send(pNeedsTLS)
	}
	name, digest, ok := strings.Cut(arg, " ")
	if !ok {
		return s.send(pSyntax("APOP", "<name> <digest>"))
	}
	a, known := s.srv.account(name)
	want := "\x00unknown"
	if known {
		want = pop3.APOPDigest(s.stamp, a.Password)
	}
	ok, delay, err := s.checkLogin(func() bool {
		return known && subtle.ConstantTimeCompare([]byte(strings.ToLower(strings.TrimSpace(digest))), []byte(want)) == 1
	})
	switch {
	case err != nil:
		return s.shutdownReply()
	case !ok:
		return s.failed("APOP", delay)
	}
	return s.login(a.Name, "APOP")
}

// auth runs a SASL exchange (RFC 5034 §4): challenges go out as
// "+ base64". AUTH alone lists the mechanisms.
func (s *pop3Session) auth(arg string) error {
	if arg == "" {
		if err := s.send(pAuthList); err != nil {
			return err
		}
		dw := proto.NewDotWriter(s.bw)
		for _, m := range s.saslOffered() {
			io.WriteString(dw, m+"\r\n")
		}
		return dw.Close()
	}
	if !s.loginAllowed() {
		return s.send(pNeedsTLS)
	}
	mech, ir, hasIR := strings.Cut(arg, " ")
	m, ok := s.srv.newSASLServer(mech)
	if !ok {
		return s.send(pUnknownMech(mech))
	}
	// RFC 5034 §4: "+ " and the base64 challenge.
	r := s.sasl(m, ir, hasIR, func(challenge []byte) error {
		_, err := s.bw.WriteString("+ " + proto.B64(challenge) + "\r\n")
		return err
	})
	how := "AUTH " + strings.ToUpper(mech)
	switch {
	case r.end == saslFinished && r.err == nil:
		return s.login(m.User(), how)
	case r.end == saslFinished && errors.Is(r.err, errSASLSyntax):
		return s.send(errReply("", "Cannot read the %s response: see RFC 5034 §4", strings.ToUpper(mech)))
	case r.end == saslFinished:
		return s.failed(how, r.delay)
	case r.end == saslCancelled:
		return s.send(pAuthCancelled)
	case r.end == saslBadBase64:
		return s.send(pAuthBadBase64)
	case r.end == saslLineTooLong:
		return s.send(pLineTooLong)
	case r.end == saslGuardFailed:
		return s.shutdownReply()
	}
	return errDrop
}

func (s *pop3Session) saslOffered() []string {
	if !s.loginAllowed() {
		return nil
	}
	return saslMechanisms
}

// failed answers a wrong password, after the delay it waited; too many
// end the session.
func (s *pop3Session) failed(how string, delay time.Duration) error {
	s.authFailures++
	s.logf("%s: login failed (%d), answered after %s", how, s.authFailures, delay)
	if s.authFailures >= s.srv.limits.MaxAuthFailures {
		s.send(pAuthTooMany)
		return errClosing
	}
	return s.send(pAuthFailed)
}

// shutdownReply ends a session whose login waited while the server began
// to shut down.
func (s *pop3Session) shutdownReply() error {
	s.send(pShuttingDown)
	return errClosing
}

// login enters the TRANSACTION state: it locks the maildrop (RFC 1939
// §8; a second session gets RFC 2449's [IN-USE]) and lists its messages,
// which keep their numbers for the whole session.
func (s *pop3Session) login(account, how string) error {
	if o := s.fault("pop3.login", account, ""); o.decided() {
		return s.applyFault(o)
	}
	unlock, err := lockMaildrop(s.srv.cfg.Store.Maildir(account))
	if errors.Is(err, ErrInUse) {
		s.logf("%s: %s's mailbox is in use", how, account)
		return s.send(pInUse(account))
	}
	if err != nil {
		s.logf("%s: %v", how, err)
		return s.send(pMaildropFailed())
	}
	msgs, err := s.srv.cfg.Store.scanMaildrop(account)
	if err != nil {
		unlock()
		s.logf("%s: %v", how, err)
		return s.send(pMaildropFailed())
	}
	s.account, s.msgs, s.unlock = account, msgs, unlock
	n, size := s.live()
	clear := s.tls == nil
	note := ""
	if clear {
		note = " (credentials sent in clear text)"
	}
	s.logf("%s: logged in as %s%s, %d messages", how, account, note, n)
	mech := strings.TrimPrefix(how, "AUTH ")
	return s.send(pLoggedIn(account, n, size, clear, mech))
}

// capa lists the capabilities (RFC 2449 §5).
func (s *pop3Session) capa(string) error {
	if err := s.send(pCapa); err != nil {
		return err
	}
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION mailsh-loopback"}
	if s.loginAllowed() {
		caps = append(caps, "USER", "SASL "+strings.Join(saslMechanisms, " "))
	}
	if s.tls == nil && s.srv.cfg.TLS != nil && s.state() == pop3.Authorization {
		caps = append(caps, "STLS")
	}
	dw := proto.NewDotWriter(s.bw)
	for _, c := range caps {
		io.WriteString(dw, c+"\r\n")
	}
	return dw.Close()
}

// stls starts TLS (RFC 2595 §4).
func (s *pop3Session) stls(string) error {
	switch {
	case s.tls != nil:
		return s.send(pTLSActive)
	case s.srv.cfg.TLS == nil:
		return s.send(pTLSNotAvail)
	}
	if err := s.send(pTLSReady); err != nil {
		return err
	}
	if err := s.bw.Flush(); err != nil {
		return err
	}
	if err := s.handshake(); err != nil {
		s.logf("TLS handshake failed: %v", err)
		return errDrop
	}
	s.lr.Max = maxPOP3Line
	s.userGiven, s.userName = false, ""
	s.logf("TLS started: %s", s.tlsDescription())
	return nil
}

// stat gives the count and size of the live messages (RFC 1939 §5).
func (s *pop3Session) stat(string) error {
	n, size := s.live()
	return s.send(pStat(n, size))
}

// list gives message sizes (RFC 1939 §5).
func (s *pop3Session) list(arg string) error {
	return s.listing(arg, func(m *message) string { return strconv.FormatInt(m.size, 10) })
}

// uidl gives unique ids (RFC 1939 §7), stable across sessions.
func (s *pop3Session) uidl(arg string) error {
	return s.listing(arg, func(m *message) string { return m.uid })
}

func (s *pop3Session) listing(arg string, field func(*message) string) error {
	if arg != "" {
		n, m, bad := s.msgArg(arg)
		if bad != nil {
			return s.send(*bad)
		}
		return s.send(okReply("%d %s", n, field(m)))
	}
	n, size := s.live()
	if err := s.send(pListing(n, size)); err != nil {
		return err
	}
	dw := proto.NewDotWriter(s.bw)
	for i, m := range s.msgs {
		if !m.deleted {
			io.WriteString(dw, strconv.Itoa(i+1)+" "+field(m)+"\r\n")
		}
	}
	return dw.Close()
}

// retr streams a message (RFC 1939 §5) from its file through proto's
// DotWriter: it is never read whole into memory.
func (s *pop3Session) retr(arg string) error {
	return s.sendMessage(arg, func(w io.Writer, r io.Reader) error {
		// One buffer for every RETR: io.Copy from a file would make a
		// new 32 KB one each time (os.File's WriteTo), which for a
		// client fetching thousands of small messages was most of the
		// work. The struct hides WriteTo so that the buffer is used.
		bp := copyBufs.Get().(*[]byte)
		defer copyBufs.Put(bp)
		_, err := io.CopyBuffer(w, struct{ io.Reader }{r}, *bp)
		return err
	})
}

// copyBufs holds the buffers RETR copies messages through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// top streams a message's header and first lines (RFC 1939 §7).
func (s *pop3Session) top(arg string) error {
	msg, lines, ok := strings.Cut(arg, " ")
	k, err := strconv.Atoi(strings.TrimSpace(lines))
	if !ok || err != nil || k < 0 {
		return s.send(pSyntax("TOP", "<msg> <lines>"))
	}
	return s.sendMessage(msg, func(w io.Writer, r io.Reader) error { return copyTop(w, r, k) })
}

func (s *pop3Session) sendMessage(arg string, copyFn func(io.Writer, io.Reader) error) error {
	n, m, bad := s.msgArg(arg)
	if bad != nil {
		return s.send(*bad)
	}
	f, err := s.srv.cfg.Store.openMessage(s.account, m)
	if err != nil {
		return s.send(pMessageGone(n))
	}
	defer f.Close()
	if err := s.send(pOctets(m.size)); err != nil {
		return err
	}
	dw := proto.NewDotWriter(s.bw)
	if err := copyFn(dw, f); err != nil {
		// Half a message was sent: the client cannot tell where it
		// ends, so the connection closes.
		s.logf("reading message %d: %v", n, err)
		return errDrop
	}
	return dw.Close()
}

// dele marks a message deleted (RFC 1939 §5); it goes at QUIT.
func (s *pop3Session) dele(arg string) error {
	n, err := strconv.Atoi(arg)
	if err == nil && n >= 1 && n <= len(s.msgs) && s.msgs[n-1].deleted {
		return s.send(pAlreadyDeleted(n))
	}
	n, m, bad := s.msgArg(arg)
	if bad != nil {
		return s.send(*bad)
	}
	m.deleted = true
	return s.send(pDeleted(n))
}

// noop does nothing (RFC 1939 §5).
func (s *pop3Session) noop(string) error { return s.send(pNoop) }

// rset unmarks the deleted messages (RFC 1939 §5).
func (s *pop3Session) rset(string) error {
	for _, m := range s.msgs {
		m.deleted = false
	}
	n, size := s.live()
	return s.send(pReset(n, size))
}

// quit ends the session. In TRANSACTION it enters the UPDATE state (RFC
// 1939 §6) and removes the messages marked deleted; a session that ends
// any other way removes nothing.
func (s *pop3Session) quit(string) error {
	if s.account == "" {
		s.send(pBye)
		return errQuit
	}
	var doomed []*message
	for _, m := range s.msgs {
		if m.deleted {
			doomed = append(doomed, m)
		}
	}
	failed, readOnly := s.srv.cfg.Store.removeMessages(s.account, doomed)
	if len(doomed) > failed {
		s.srv.cfg.Store.Changed(s.account)
	}
	// RFC 1939 §6: the maildrop is released before the reply, so that a
	// client that reconnects as soon as it reads "+OK" finds it free.
	s.unlock()
	s.unlock = nil
	if failed > 0 && readOnly {
		s.logf("QUIT: %d of %d message(s) not removed: %s's mailbox is read-only", failed, len(doomed), s.account)
		s.send(pReadOnlyMaildrop(failed, len(doomed)))
		return errQuit
	}
	if failed > 0 {
		s.send(pRemoveFailed(failed))
		return errQuit
	}
	n, _ := s.live()
	if len(doomed) > 0 {
		s.logf("QUIT: removed %d message(s) from %s's mailbox", len(doomed), s.account)
	}
	s.send(pSignOff(s.srv.cfg.Domain, len(doomed), n))
	return errQuit
}
