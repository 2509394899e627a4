package imap

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/mailsh/mailsh/loopback"
)

// view is a session's picture of its selected mailbox: the messages in
// the order of their sequence numbers (RFC 9051 §2.3.1.2), which change
// only when this session is told of a change.
type view struct {
	ss       *session
	dir      string
	readOnly bool
	msgs     []entry
	validity uint32
	next     imap.UID
	// gen is the generation of the folder's listing the view was last
	// brought up to date with; gone: messages of the view were not in it,
	// and stay until an EXPUNGE may be sent.
	gen  uint64
	gone bool

	searchRes imap.UIDSet // SEARCH's saved result ($, RFC 5182)
}

// poll brings the view up to date with the folder's listing (see
// listing: it reads the folder again only if it may have changed) and
// tells the client: first EXPUNGE for messages gone (where allowed: RFC
// 9051 §7.5.1 forbids them during FETCH, STORE and SEARCH, and the
// messages stay in the view, gone, until a command that allows them),
// then EXISTS for new ones, then FETCH FLAGS for flags another session or
// program changed (§7.5.2).
func (v *view) poll(w *imapserver.UpdateWriter, allowExpunge bool, how look) error {
	have := v.gen
	if allowExpunge && v.gone {
		have = 0 // the listing again, to expunge what is gone
	}
	msgs, gen, _, next, err := v.ss.srv.listing(v.dir, !v.readOnly, how, have)
	if err != nil {
		return err
	}
	if gen == have {
		return nil // the listing the view was brought up to date with
	}
	fresh := make(map[imap.UID]*entry, len(msgs))
	for i := range msgs {
		fresh[msgs[i].uid] = &msgs[i]
	}
	v.gone = false
	for i := len(v.msgs) - 1; i >= 0; i-- {
		if fresh[v.msgs[i].uid] != nil {
			continue
		}
		if !allowExpunge {
			v.gone = true
			continue
		}
		if err := w.WriteExpunge(uint32(i + 1)); err != nil {
			return err
		}
		v.msgs = append(v.msgs[:i], v.msgs[i+1:]...)
	}
	known := make(map[imap.UID]bool, len(v.msgs))
	var last imap.UID
	for i := range v.msgs {
		known[v.msgs[i].uid] = true
		last = max(last, v.msgs[i].uid)
	}
	n := len(v.msgs)
	for i := range msgs {
		if m := &msgs[i]; !known[m.uid] && m.uid > last {
			v.msgs = append(v.msgs, *m)
		}
	}
	if len(v.msgs) > n {
		if err := w.WriteNumMessages(uint32(len(v.msgs))); err != nil {
			return err
		}
	}
	for i := range v.msgs[:n] {
		e := &v.msgs[i]
		m := fresh[e.uid]
		if m == nil {
			continue
		}
		changed := m.flags() != e.flags()
		e.sub, e.name, e.bits, e.size = m.sub, m.name, m.bits, m.size
		if changed {
			if err := w.WriteMessageFlags(uint32(i+1), e.uid, e.flagList()); err != nil {
				return err
			}
		}
	}
	v.next, v.gen = next, gen
	return nil
}

// indices resolves a sequence set or a UID set to positions in the view,
// "*" being the last message (RFC 9051 §9, seq-number).
func (v *view) indices(numSet imap.NumSet) []int {
	if imap.IsSearchRes(numSet) {
		numSet = v.searchRes
	}
	var out []int
	switch ns := numSet.(type) {
	case imap.SeqSet:
		last := uint32(len(v.msgs))
		for i := range v.msgs {
			seq := uint32(i + 1)
			for _, r := range ns {
				if inRange(seq, r.Start, r.Stop, last) {
					out = append(out, i)
					break
				}
			}
		}
	case imap.UIDSet:
		var last uint32
		if len(v.msgs) > 0 {
			last = uint32(v.msgs[len(v.msgs)-1].uid)
		}
		for i := range v.msgs {
			uid := uint32(v.msgs[i].uid)
			for _, r := range ns {
				if inRange(uid, uint32(r.Start), uint32(r.Stop), last) {
					out = append(out, i)
					break
				}
			}
		}
	}
	return out
}

// inRange reports whether n is in start:stop, where 0 stands for "*"
// (last), and the range may be given either way round.
func inRange(n, start, stop, last uint32) bool {
	if start == 0 {
		start = last
	}
	if stop == 0 {
		stop = last
	}
	if start > stop {
		start, stop = stop, start
	}
	return n >= start && n <= stop
}

// open opens a message's file, finding it again by its unique part if
// another session or program renamed it since the view was made.
func (v *view) open(e *entry) (*os.File, error) {
	f, err := os.Open(e.path(v.dir))
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	if !v.relocate(e) {
		return nil, err
	}
	return os.Open(e.path(v.dir))
}

// relocate finds a message's file: in cur/ under the name that moving it
// there gives (moveNew, or another reader that saw it), else by its
// unique part.
func (v *view) relocate(e *entry) bool {
	if e.sub == "new" {
		base, _, _ := strings.Cut(e.name, ":")
		if _, err := os.Lstat(filepath.Join(v.dir, "cur", base+":2,")); err == nil {
			e.place("cur", base+":2,")
			return true
		}
	}
	for _, sub := range []string{"cur", "new"} {
		des, _ := os.ReadDir(filepath.Join(v.dir, sub))
		for _, de := range des {
			if strings.HasPrefix(de.Name(), e.unique) && loopback.UniquePart(de.Name()) == e.unique {
				e.place(sub, de.Name())
				return true
			}
		}
	}
	return false
}

// setInfo gives a message new info flags by renaming its file into cur/
// (the Maildir specification: flags live in the name).
func (v *view) setInfo(e *entry, info string) error {
	if info == e.flags() && e.sub == "cur" {
		return nil
	}
	base, _, _ := strings.Cut(e.name, ":")
	to := base + ":2," + info
	err := os.Rename(e.path(v.dir), filepath.Join(v.dir, "cur", to))
	if errors.Is(err, fs.ErrNotExist) && v.relocate(e) {
		err = os.Rename(e.path(v.dir), filepath.Join(v.dir, "cur", to))
	}
	if err != nil {
		return err
	}
	e.place("cur", to)
	return nil
}

// ensureMaildir makes an account's Maildir if it is missing.
func ensureMaildir(dir string) error {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}
