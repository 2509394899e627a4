package imap

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Search answers SEARCH and UID SEARCH (RFC 9051 §6.4.4): sequence and
// UID sets, flags, sizes, dates (the internal date is the file's
// modification time; SENTSINCE and the like read Date:), header fields
// (SUBJECT, FROM, TO, HEADER, with encoded words decoded), and BODY and
// TEXT, which read the message. Strings match as substrings, ignoring
// case. Keywords are not kept, so KEYWORD matches nothing.
func (ss *session) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	if err := ss.fault("imap.search", ""); err != nil {
		return nil, err
	}
	v := ss.view
	defer ss.srv.inUse(v.dir)()
	data := &imap.SearchData{}
	var seqs imap.SeqSet
	var uids imap.UIDSet
	for i := range v.msgs {
		c := &candidate{v: v, e: &v.msgs[i], seq: uint32(i + 1)}
		if !c.match(criteria) {
			continue
		}
		uids.AddNum(c.e.uid)
		num := c.seq
		if kind == imapserver.NumKindUID {
			num = uint32(c.e.uid)
		} else {
			seqs.AddNum(c.seq)
		}
		if data.Min == 0 || num < data.Min {
			data.Min = num
		}
		data.Max = max(data.Max, num)
		data.Count++
	}
	if kind == imapserver.NumKindUID {
		data.All = uids
	} else {
		data.All = seqs
	}
	if options != nil && options.ReturnSave {
		v.searchRes = uids
	}
	return data, nil
}

// candidate is one message being matched, with what was read of it.
type candidate struct {
	v      *view
	e      *entry
	seq    uint32
	header *mail.Header
	text   []byte // the whole message, for BODY and TEXT
	body   int    // where the body starts in text
	mtime  time.Time
}

func (c *candidate) match(cr *imap.SearchCriteria) bool {
	for _, s := range cr.SeqNum {
		if !c.inSeq(s) {
			return false
		}
	}
	for _, s := range cr.UID {
		if !c.inUIDs(s) {
			return false
		}
	}
	info := c.e.flags()
	for _, f := range cr.Flag {
		if l := letterOf(f); l == 0 || !hasLetter(info, l) {
			return false
		}
	}
	for _, f := range cr.NotFlag {
		if l := letterOf(f); l != 0 && hasLetter(info, l) {
			return false
		}
	}
	if cr.Larger != 0 && c.e.size <= cr.Larger {
		return false
	}
	if cr.Smaller != 0 && c.e.size >= cr.Smaller {
		return false
	}
	if !cr.Since.IsZero() || !cr.Before.IsZero() {
		if !inDates(c.internalDate(), cr.Since, cr.Before) {
			return false
		}
	}
	if !cr.SentSince.IsZero() || !cr.SentBefore.IsZero() {
		h := c.head()
		t, err := h.Date()
		if err != nil || !inDates(t, cr.SentSince, cr.SentBefore) {
			return false
		}
	}
	for _, hf := range cr.Header {
		if !c.headerHas(hf.Key, hf.Value) {
			return false
		}
	}
	for _, s := range cr.Body {
		c.read()
		if !containsFold(c.text[c.body:], s) {
			return false
		}
	}
	for _, s := range cr.Text {
		c.read()
		if !containsFold(c.text, s) {
			return false
		}
	}
	for i := range cr.Not {
		if c.match(&cr.Not[i]) {
			return false
		}
	}
	for i := range cr.Or {
		if !c.match(&cr.Or[i][0]) && !c.match(&cr.Or[i][1]) {
			return false
		}
	}
	return true
}

func (c *candidate) inSeq(s imap.SeqSet) bool {
	if imap.IsSearchRes(s) {
		return c.v.searchRes.Contains(c.e.uid)
	}
	last := uint32(len(c.v.msgs))
	for _, r := range s {
		if inRange(c.seq, r.Start, r.Stop, last) {
			return true
		}
	}
	return false
}

func (c *candidate) inUIDs(s imap.UIDSet) bool {
	if imap.IsSearchRes(s) {
		return c.v.searchRes.Contains(c.e.uid)
	}
	var last uint32
	if n := len(c.v.msgs); n > 0 {
		last = uint32(c.v.msgs[n-1].uid)
	}
	for _, r := range s {
		if inRange(uint32(c.e.uid), uint32(r.Start), uint32(r.Stop), last) {
			return true
		}
	}
	return false
}

// inDates compares dates only, as RFC 9051 §6.4.4 asks: since is "on or
// after", before is "earlier than".
func inDates(t, since, before time.Time) bool {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	d := day(t)
	if !since.IsZero() && d.Before(day(since)) {
		return false
	}
	if !before.IsZero() && !d.Before(day(before)) {
		return false
	}
	return true
}

func (c *candidate) internalDate() time.Time {
	if c.mtime.IsZero() {
		if fi, err := os.Stat(c.e.path(c.v.dir)); err == nil {
			c.mtime = fi.ModTime()
		}
	}
	return c.mtime
}

// head reads the message's header, once.
func (c *candidate) head() *mail.Header {
	if c.header == nil {
		c.header = &mail.Header{}
		if f, err := c.v.open(c.e); err == nil {
			if h, err := textproto.ReadHeader(bufio.NewReader(f)); err == nil {
				c.header = &mail.Header{Header: message.Header{Header: h}}
			}
			f.Close()
		}
	}
	return c.header
}

// headerHas reports whether a field contains s, as sent or with its
// encoded words decoded; an empty s asks only that the field be there.
func (c *candidate) headerHas(key, s string) bool {
	h := c.head()
	if !h.Has(key) {
		return false
	}
	if s == "" {
		return true
	}
	for _, raw := range h.Values(key) {
		if containsFold([]byte(raw), s) {
			return true
		}
	}
	if text, err := h.Text(key); err == nil && containsFold([]byte(text), s) {
		return true
	}
	return false
}

// read reads the whole message, once.
func (c *candidate) read() {
	if c.text != nil {
		return
	}
	c.text = []byte{}
	f, err := c.v.open(c.e)
	if err != nil {
		return
	}
	defer f.Close()
	var b bytes.Buffer
	b.ReadFrom(f)
	c.text = b.Bytes()
	if i := bytes.Index(c.text, []byte("\n\n")); i >= 0 {
		c.body = i + 2
	} else if i := bytes.Index(c.text, []byte("\r\n\r\n")); i >= 0 {
		c.body = i + 4
	}
}

func containsFold(b []byte, s string) bool {
	return bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(s)))
}
