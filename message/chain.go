package message

import (
	"fmt"
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
	// TotalDoubt says why the total is unknown although the times were
	// read: a transit that cannot be real (see PlausibleDelay).
	TotalDoubt string
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
		if h.DelayOK {
			if doubt := PlausibleDelay(h.Delay); doubt != "" {
				h.Delay, h.DelayOK, h.DelayDoubt = 0, false, doubt
			}
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
	if c.TotalOK {
		if doubt := PlausibleDelay(c.Total); doubt != "" {
			c.Total, c.TotalOK, c.TotalDoubt = 0, false, doubt
		}
	}
}

// MaxHopDelay is the longest delay taken for real. RFC 5321 §4.5.4.1
// has a server give up on a message after 4 to 5 days; a month is far
// past any retry schedule, so a longer delay is a clock's error.
const MaxHopDelay = 30 * 24 * time.Hour

// MaxClockSkew is how far a server's clock may run behind the previous
// one's before the negative delay is taken for nonsense rather than
// clocks that disagree a little (which is shown as it is).
const MaxClockSkew = time.Hour

// PlausibleDelay returns "" if d can be a real delay between two time
// stamps of a message, or why it cannot.
func PlausibleDelay(d time.Duration) string {
	switch {
	case d < -MaxClockSkew:
		return fmt.Sprintf("the clock runs %s behind the previous one's, more than the %s of skew taken for real", FormatDelay(-d), FormatDelay(MaxClockSkew))
	case d > MaxHopDelay:
		return fmt.Sprintf("%s is longer than any server keeps a message (%s)", FormatDelay(d), FormatDelay(MaxHopDelay))
	}
	return ""
}
