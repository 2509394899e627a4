package message

import (
	"io"
	"strings"
	"time"
)

// Chain is a message's Received chain read bottom to top, as a header
// analyser (the Google Admin Toolbox "Messageheader") shows it: hops with
// the delay of each, the total transit time and the slowest hop, and the
// SPF, DKIM and DMARC verdicts of the receiving servers.
type Chain struct {
	// Hops, oldest first: Hops[0] is the bottom Received field.
	Hops []*Hop
	// Sent is the Date field (RFC 5322 §3.6.1): when the author's program
	// dated the message. SentText is the field as written.
	Sent     time.Time
	SentOK   bool
	SentText string
	// Total is the transit time: from Sent (or, without it, the first
	// hop's time) to the last hop's time. TotalFromDate says which.
	Total         time.Duration
	TotalOK       bool
	TotalFromDate bool
	// Slowest is the hop with the longest delay; nil if no delay is known.
	Slowest *Hop
	// Auth are the authentication results found in the header.
	Auth []AuthResult
}

// LoopThreshold is the number of Received fields past which RFC 5321 §6.3
// says a server may take a message for a loop ("at least 100").
const LoopThreshold = 100

// ReadChain reads the header of the message in r (and nothing more) and
// analyses its Received chain.
func ReadChain(r io.Reader) (*Chain, error) {
	h, _, err := readHeader(r, "")
	if err != nil {
		return nil, err
	}
	var received []string
	c := &Chain{}
	fs := h.Fields()
	for fs.Next() {
		switch strings.ToLower(fs.Key()) {
		case "received":
			received = append(received, fs.Value())
		case "date":
			if c.SentText == "" {
				c.SentText = fs.Value()
			}
		case "authentication-results":
			c.Auth = append(c.Auth, ParseAuthResults("Authentication-Results", fs.Value())...)
		case "arc-authentication-results":
			c.Auth = append(c.Auth, ParseAuthResults("ARC-Authentication-Results", fs.Value())...)
		case "received-spf":
			if a, ok := ParseReceivedSPF(fs.Value()); ok {
				c.Auth = append(c.Auth, a)
			}
		}
		if len(c.Auth) > 200 {
			c.Auth = c.Auth[:200]
		}
	}
	c.analyse(received)
	return c, nil
}

// Analyse builds a chain from Received field values in header order (the
// newest first, as servers prepend them) and the Date field's value.
func Analyse(received []string, date string) *Chain {
	c := &Chain{SentText: date}
	c.analyse(received)
	return c
}

func (c *Chain) analyse(received []string) {
	c.Sent, c.SentOK = ParseDate(c.SentText)
	n := len(received)
	c.Hops = make([]*Hop, n)
	for i, v := range received {
		h := ParseReceived(v)
		h.N = n - i
		c.Hops[n-i-1] = h
	}
	var first, last *Hop
	for i, h := range c.Hops {
		switch {
		case !h.TimeOK:
		case i == 0 && c.SentOK:
			h.Delay, h.DelayOK = h.Time.Sub(c.Sent), true
		case i > 0 && c.Hops[i-1].TimeOK:
			h.Delay, h.DelayOK = h.Time.Sub(c.Hops[i-1].Time), true
		}
		if h.DelayOK && (c.Slowest == nil || h.Delay > c.Slowest.Delay) {
			c.Slowest = h
		}
		if h.TimeOK {
			if first == nil {
				first = h
			}
			last = h
		}
	}
	switch {
	case last != nil && c.SentOK:
		c.Total, c.TotalOK, c.TotalFromDate = last.Time.Sub(c.Sent), true, true
	case last != nil && first != last:
		c.Total, c.TotalOK = last.Time.Sub(first.Time), true
	}
}
