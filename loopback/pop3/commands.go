package pop3

import (
	"crypto/subtle"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
)

// handler runs one command whose state and syntax were checked.
type handler func(s *session, arg string) error

// handlerFor is the dispatch: the handler of each command of
// pop3.Commands, which says in which states each is valid.
func handlerFor(name string) handler {
	switch name {
	case "USER":
		return (*session).user
	case "PASS":
		return (*session).pass
	case "APOP":
		return (*session).apop
	case "AUTH":
		return (*session).auth
	case "CAPA":
		return (*session).capa
	case "STLS":
		return (*session).stls
	case "STAT":
		return (*session).stat
	case "LIST":
		return (*session).list
	case "RETR":
		return (*session).retr
	case "TOP":
		return (*session).top
	case "DELE":
		return (*session).dele
	case "UIDL":
		return (*session).uidl
	case "NOOP":
		return (*session).noop
	case "RSET":
		return (*session).rset
	case "QUIT":
		return (*session).quit
	}
	return nil
}

// user takes the mailbox name (RFC 1939 §7). It says +OK for any name, so
// that names cannot be guessed one by one.
func (s *session) user(arg string) error {
	if !s.LoginAllowed() {
		return s.send(pNeedsTLS)
	}
	s.userGiven, s.userName = true, arg
	return s.send(pUserOK(arg))
}

// pass checks the password given after USER (RFC 1939 §7); a failure
// returns to the AUTHORIZATION state.
func (s *session) pass(arg string) error {
	s.userGiven = false
	var a loopback.Account
	ok, delay, err := s.CheckLogin(func() bool {
		var ok bool
		a, ok = s.Server().Authenticate(s.userName, arg)
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
func (s *session) apop(arg string) error {
	if !s.LoginAllowed() {
		return s.send(pNeedsTLS)
	}
	name, digest, ok := strings.Cut(arg, " ")
	if !ok {
		return s.send(pSyntax("APOP", "<name> <digest>"))
	}
	a, known := s.Server().Account(name)
	want := "\x00unknown"
	if known {
		want = pop3.APOPDigest(s.stamp, a.Password)
	}
	ok, delay, err := s.CheckLogin(func() bool {
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
func (s *session) auth(arg string) error {
	if arg == "" {
		if err := s.send(pAuthList); err != nil {
			return err
		}
		dw := proto.NewDotWriter(s.Writer())
		for _, m := range s.saslOffered() {
			io.WriteString(dw, m+"\r\n")
		}
		return dw.Close()
	}
	if !s.LoginAllowed() {
		return s.send(pNeedsTLS)
	}
	mech, ir, hasIR := strings.Cut(arg, " ")
	m, ok := s.Server().NewSASLServer(mech)
	if !ok {
		return s.send(pUnknownMech(mech))
	}
	// RFC 5034 §4: "+ " and the base64 challenge.
	r := s.SASL(m, ir, hasIR, func(challenge []byte) error {
		_, err := s.Writer().WriteString("+ " + proto.B64(challenge) + "\r\n")
		return err
	})
	how := "AUTH " + strings.ToUpper(mech)
	switch {
	case r.End == loopback.SASLFinished && r.Err == nil:
		return s.login(m.User(), how)
	case r.End == loopback.SASLFinished && errors.Is(r.Err, loopback.ErrSASLSyntax):
		return s.send(errReply("", "Cannot read the %s response: see RFC 5034 §4", strings.ToUpper(mech)))
	case r.End == loopback.SASLFinished:
		return s.failed(how, r.Delay)
	case r.End == loopback.SASLCancelled:
		return s.send(pAuthCancelled)
	case r.End == loopback.SASLBadBase64:
		return s.send(pAuthBadBase64)
	case r.End == loopback.SASLLineTooLong:
		return s.send(pLineTooLong)
	case r.End == loopback.SASLGuardFailed:
		return s.shutdownReply()
	}
	return loopback.ErrDrop
}

func (s *session) saslOffered() []string {
	if !s.LoginAllowed() {
		return nil
	}
	return loopback.SASLMechanisms
}

// failed answers a wrong password, after the delay it waited; too many
// end the session.
func (s *session) failed(how string, delay time.Duration) error {
	s.authFailures++
	s.Logf("%s: login failed (%d), answered after %s", how, s.authFailures, delay)
	if s.authFailures >= s.Server().Limits().MaxAuthFailures {
		s.send(pAuthTooMany)
		return loopback.ErrClosing
	}
	return s.send(pAuthFailed)
}

// shutdownReply ends a session whose login waited while the server began
// to shut down.
func (s *session) shutdownReply() error {
	s.send(pShuttingDown)
	return loopback.ErrClosing
}

// login enters the TRANSACTION state: it locks the maildrop (RFC 1939
// §8; a second session gets RFC 2449's [IN-USE]) and lists its messages,
// which keep their numbers for the whole session.
func (s *session) login(account, how string) error {
	if o := s.fault("pop3.login", account, ""); o.Decided() {
		return s.applyFault(o)
	}
	unlock, err := lockMaildrop(s.Server().Store().Maildir(account))
	if errors.Is(err, ErrInUse) {
		s.Logf("%s: %s's mailbox is in use", how, account)
		return s.send(pInUse(account))
	}
	if err != nil {
		s.Logf("%s: %v", how, err)
		return s.send(pMaildropFailed())
	}
	clear := s.TLS() == nil
	note := ""
	if clear {
		note = " (credentials sent in clear text)"
	}
	mech := strings.TrimPrefix(how, "AUTH ")
	store := s.Server().Store()
	if store.LargeMaildrop(account) {
		// Answer first, and list while the client sends its next
		// command, as Dovecot does; RFC 1939 §7 leaves the count out
		// of the reply to the server.
		s.account, s.unlock = account, unlock
		s.files = store.MessageFiles(account)
		s.pending = listInBackground(store, account)
		s.Logf("%s: logged in as %s%s, a large maildrop listed after the reply", how, account, note)
		return s.send(pLoggedInLarge(account, clear, mech))
	}
	msgs, err := store.ScanMaildrop(account)
	if err != nil {
		unlock()
		s.Logf("%s: %v", how, err)
		return s.send(pMaildropFailed())
	}
	s.account, s.msgs, s.unlock = account, msgs, unlock
	s.files = store.MessageFiles(account)
	n, size := s.live()
	s.Logf("%s: logged in as %s%s, %d messages", how, account, note, n)
	return s.send(pLoggedIn(account, n, size, clear, mech))
}

// pendingListing is a maildrop's listing being read.
type pendingListing struct {
	done chan struct{}
	msgs []*loopback.Message
	err  error
}

func listInBackground(store *loopback.Store, account string) *pendingListing {
	p := &pendingListing{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.msgs, p.err = store.ScanMaildrop(account)
	}()
	return p
}

// awaitListing waits for the listing begun at login. A maildrop that
// cannot be listed ends the session, with the reply a login would have
// had, and nothing deleted.
func (s *session) awaitListing() error {
	p := s.pending
	<-p.done
	s.pending = nil
	if p.err != nil {
		s.Logf("listing %s: %v", s.account, p.err)
		s.send(pMaildropFailed())
		return loopback.ErrClosing
	}
	s.msgs = p.msgs
	n, _ := s.live()
	s.Logf("%s's maildrop listed: %d messages", s.account, n)
	return nil
}

// capa lists the capabilities (RFC 2449 §5).
func (s *session) capa(string) error {
	if err := s.send(pCapa); err != nil {
		return err
	}
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION mailsh-loopback"}
	if s.LoginAllowed() {
		caps = append(caps, "USER", "SASL "+strings.Join(loopback.SASLMechanisms, " "))
	}
	if s.TLS() == nil && s.Server().TLSConfig() != nil && s.state() == pop3.Authorization {
		caps = append(caps, "STLS")
	}
	dw := proto.NewDotWriter(s.Writer())
	for _, c := range caps {
		io.WriteString(dw, c+"\r\n")
	}
	return dw.Close()
}

// stls starts TLS (RFC 2595 §4).
func (s *session) stls(string) error {
	switch {
	case s.TLS() != nil:
		return s.send(pTLSActive)
	case s.Server().TLSConfig() == nil:
		return s.send(pTLSNotAvail)
	}
	if err := s.send(pTLSReady); err != nil {
		return err
	}
	if err := s.Writer().Flush(); err != nil {
		return err
	}
	if err := s.StartTLS(); err != nil {
		s.Logf("TLS handshake failed: %v", err)
		return loopback.ErrDrop
	}
	s.userGiven, s.userName = false, ""
	s.Logf("TLS started: %s", s.TLSDescription())
	return nil
}

// stat gives the count and size of the live messages (RFC 1939 §5).
func (s *session) stat(string) error {
	n, size := s.live()
	return s.send(pStat(n, size))
}

// list gives message sizes (RFC 1939 §5).
func (s *session) list(arg string) error {
	return s.listing(arg, func(m *loopback.Message) string { return strconv.FormatInt(m.Size, 10) })
}

// uidl gives unique ids (RFC 1939 §7), stable across sessions.
func (s *session) uidl(arg string) error {
	return s.listing(arg, func(m *loopback.Message) string { return m.UID })
}

func (s *session) listing(arg string, field func(*loopback.Message) string) error {
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
	dw := proto.NewDotWriter(s.Writer())
	for i, m := range s.msgs {
		if !m.Deleted {
			io.WriteString(dw, strconv.Itoa(i+1)+" "+field(m)+"\r\n")
		}
	}
	return dw.Close()
}

// retr streams a message (RFC 1939 §5) from its file through proto's
// DotWriter: it is never read whole into memory.
func (s *session) retr(arg string) error {
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
func (s *session) top(arg string) error {
	msg, lines, ok := strings.Cut(arg, " ")
	k, err := strconv.Atoi(strings.TrimSpace(lines))
	if !ok || err != nil || k < 0 {
		return s.send(pSyntax("TOP", "<msg> <lines>"))
	}
	return s.sendMessage(msg, func(w io.Writer, r io.Reader) error { return copyTop(w, r, k) })
}

func (s *session) sendMessage(arg string, copyFn func(io.Writer, io.Reader) error) error {
	n, m, bad := s.msgArg(arg)
	if bad != nil {
		return s.send(*bad)
	}
	f, err := s.files.Open(m)
	if err != nil {
		return s.send(pMessageGone(n))
	}
	defer f.Close()
	if err := s.send(pOctets(m.Size)); err != nil {
		return err
	}
	dw := proto.NewDotWriter(s.Writer())
	if err := copyFn(dw, f); err != nil {
		// Half a message was sent: the client cannot tell where it
		// ends, so the connection closes.
		s.Logf("reading message %d: %v", n, err)
		return loopback.ErrDrop
	}
	return dw.Close()
}

// dele marks a message deleted (RFC 1939 §5); it goes at QUIT.
func (s *session) dele(arg string) error {
	n, err := strconv.Atoi(arg)
	if err == nil && n >= 1 && n <= len(s.msgs) && s.msgs[n-1].Deleted {
		return s.send(pAlreadyDeleted(n))
	}
	n, m, bad := s.msgArg(arg)
	if bad != nil {
		return s.send(*bad)
	}
	m.Deleted = true
	return s.send(pDeleted(n))
}

// noop does nothing (RFC 1939 §5).
func (s *session) noop(string) error { return s.send(pNoop) }

// rset unmarks the deleted messages (RFC 1939 §5).
func (s *session) rset(string) error {
	for _, m := range s.msgs {
		m.Deleted = false
	}
	n, size := s.live()
	return s.send(pReset(n, size))
}

// quit ends the session. In TRANSACTION it enters the UPDATE state (RFC
// 1939 §6) and removes the messages marked deleted; a session that ends
// any other way removes nothing.
func (s *session) quit(string) error {
	if s.account == "" {
		s.send(pBye)
		return loopback.ErrQuit
	}
	var doomed []*loopback.Message
	for _, m := range s.msgs {
		if m.Deleted {
			doomed = append(doomed, m)
		}
	}
	failed, readOnly := s.Server().Store().RemoveMessages(s.account, doomed)
	if len(doomed) > failed {
		s.Server().Store().Changed(s.account)
	}
	// RFC 1939 §6: the maildrop is released before the reply, so that a
	// client that reconnects as soon as it reads "+OK" finds it free.
	s.unlock()
	s.unlock = nil
	if failed > 0 && readOnly {
		s.Logf("QUIT: %d of %d message(s) not removed: %s's mailbox is read-only", failed, len(doomed), s.account)
		s.send(pReadOnlyMaildrop(failed, len(doomed)))
		return loopback.ErrQuit
	}
	if failed > 0 {
		s.send(pRemoveFailed(failed))
		return loopback.ErrQuit
	}
	n, _ := s.live()
	if len(doomed) > 0 {
		s.Logf("QUIT: removed %d message(s) from %s's mailbox", len(doomed), s.account)
	}
	s.send(pSignOff(s.Server().Domain(), len(doomed), n))
	return loopback.ErrQuit
}
