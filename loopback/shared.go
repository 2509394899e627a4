package loopback

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"sync"
	"time"
)

// What the protocol packages share: the accounts and their passwords, the
// login guard, the connection budgets, the limits, the TLS configuration,
// the fault rules, and notices of changes to a mailbox. A protocol whose
// sessions stand on Conn uses them through it; one whose package runs its
// own listeners and sessions (over a library's grammar and state machine)
// calls them here.

// Authenticate compares a user name and password with the accounts, in
// constant time; the name may differ in case from the account's.
func (s *Server) Authenticate(name, pass string) (Account, bool) { return s.checkPassword(name, pass) }

// GuardLogin runs check, which compares credentials and reports whether
// they were right, in the turn of the client address ip, and after a
// failure waits that address's delay (see authGuard): the same guard
// counts failures over every protocol. err is non-nil if the server
// began to shut down while the login waited for its turn.
func (s *Server) GuardLogin(ip net.IP, check func() bool) (ok bool, delay time.Duration, err error) {
	return s.guardLogin(ip, check, s.sleep)
}

// sleep waits d, or less if the server shuts down.
func (s *Server) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	if s.cfg.sleepHook != nil {
		s.cfg.sleepHook(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	}
}

// Admit counts a new connection of svc from ip against that listener's
// budget (MaxConnections, MaxClientConnections). It returns release, to
// call once when the connection ends, and either refusal == "" (serve
// it), a refusal to tell the client before closing, or drop (close
// without a word: too many refusals are being sent already).
func (s *Server) Admit(svc *Service, ip net.IP) (release func(), refusal string, drop bool) {
	release, r, drop := s.admit(svc, ip)
	if r != nil {
		refusal = r.String()
	}
	return release, refusal, drop
}

// Limits returns the limits in force, defaults filled in.
func (s *Server) Limits() Limits { return s.limits }

// UnderStress reports whether svc's listener holds 80% of its
// connections or more: its sessions get the short StressIdle timeout.
func (s *Server) UnderStress(svc *Service) bool { return s.underStress(svc) }

// TLSConfig returns the TLS configuration of the upgrades to TLS and of
// the implicit-TLS ports, nil if there is none.
func (s *Server) TLSConfig() *tls.Config { return s.cfg.TLS }

// RequireTLS reports whether logins without TLS are refused even from
// this machine.
func (s *Server) RequireTLS() bool { return s.cfg.RequireTLS }

// Store returns where the mail is kept.
func (s *Server) Store() *Store { return s.cfg.Store }

// Logf writes a line to the session log, if there is one.
func (s *Server) Logf(format string, args ...any) { s.logf(format, args...) }

// watchers are the sessions waiting to hear of changes to an account's
// mail: a session waiting for news hears of a delivery or a deletion
// made by another session at once, without polling the directories.
type watchers struct {
	mu sync.Mutex
	by map[string]map[chan struct{}]bool // by lower-case account name
}

// Watch returns a channel that receives a value (at most one pending)
// after each change to the account's mail made through this Store or
// announced with Changed, and cancel, to call when done watching.
func (s *Store) Watch(account string) (changes <-chan struct{}, cancel func()) {
	w := &s.watchers
	key := lowerASCII(account)
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	if w.by == nil {
		w.by = map[string]map[chan struct{}]bool{}
	}
	if w.by[key] == nil {
		w.by[key] = map[chan struct{}]bool{}
	}
	w.by[key][ch] = true
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.by[key], ch)
		if len(w.by[key]) == 0 {
			delete(w.by, key)
		}
		w.mu.Unlock()
	}
}

// Changed tells the account's watchers that its mail changed: a message
// delivered, removed, moved or given new flags.
func (s *Store) Changed(accounts ...string) {
	w := &s.watchers
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, a := range accounts {
		for ch := range w.by[lowerASCII(a)] {
			select {
			case ch <- struct{}{}:
			default: // a notice is pending already
			}
		}
	}
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// UniqueName makes a Maildir file name that no other delivery of this
// process uses, as deliveries name theirs: for messages a protocol
// package stores itself (appended, copied).
func (s *Store) UniqueName() string { return s.uniqueName(time.Now()) }

// UniquePart is a Maildir file name without Maildir++ fields (",S=…")
// and flags (":2,…"): the part that stays when the file moves from new/
// to cur/ or its flags change, and so a message's lasting identity.
func UniquePart(name string) string { return uniquePart(name) }

// MessageSize is the size of a message file with CRLF line endings, the
// octets a client is sent for it: Maildir++'s ",W=" field of
// its name where there is one, else counted by reading the file.
func MessageSize(path string) (int64, error) {
	if n, ok := nameVSize(filepath.Base(path)); ok {
		return n, nil
	}
	return fileVSize(path)
}

// NameSize reads Maildir++'s ",W=" field from a file name: the size with
// CRLF line endings, known without reading the file; ok false if the
// name has none.
func NameSize(name string) (size int64, ok bool) { return nameVSize(name) }

// SizedName adds Maildir++'s size fields, ",S=" (octets in the file) and
// ",W=" (octets with CRLF line endings), to a unique name.
func SizedName(unique string, size, vsize int64) string { return sizedName(unique, size, vsize) }

// SyncDir makes a directory's entries (a rename into it) durable.
func SyncDir(dir string) error { return syncDir(dir) }

// Wait waits d, or less if the server shuts down (a fault rule's delay);
// tests see it through their sleep hook rather than waiting.
func (s *Server) Wait(d time.Duration) { s.sleep(d) }

// Domain, Config, Faults and the account look-ups are for the protocol
// packages' sessions.

// Config returns the configuration the server was made with, defaults
// filled in (Domain); Limits has the limits in force.
func (s *Server) Config() Config { return s.cfg }

// Faults returns the fault rules in force (none: empty, not nil).
func (s *Server) Faults() *Faults { return s.faults }

// Account finds an account by name, in any case.
func (s *Server) Account(name string) (Account, bool) { return s.account(name) }

// IsClosing reports whether the server has begun to shut down.
func (s *Server) IsClosing() bool { return s.isClosing() }
