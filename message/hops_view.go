package message

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxHopRows bounds the hops listed: a looping message can carry
// thousands of Received fields; the first and last are shown.
const maxHopRows = 100

// WriteHops prints a chain as the Messageheader tool does, offline: a
// table of hops (number, delay, from, by, with, TLS, time, id) read bottom
// to top, a bar chart of the delays, the total transit time, the slowest
// hop, and the SPF, DKIM and DMARC results. Unreadable dates show as "?"
// and the rest still prints; negative delays (clocks that disagree) are
// shown as they are, up to MaxClockSkew; a delay that cannot be real (see
// PlausibleDelay) or that counts from a date out of range shows as "?",
// with a note saying why.
func WriteHops(w io.Writer, c *Chain, st Style) error {
	var b strings.Builder
	n := len(c.Hops)
	if n == 0 {
		b.WriteString("no Received fields: the message has crossed no server that recorded itself (RFC 5321 §4.4), or this is not its full header\n")
	} else {
		fmt.Fprintf(&b, "%s, read bottom to top: hop 1 is the server that received the message first\n", plural(n, "hop"))
		if n > LoopThreshold {
			b.WriteString(st.warn(fmt.Sprintf("%d Received fields: more than the %d after which RFC 5321 §6.3 lets a server take a message for a loop", n, LoopThreshold)) + "\n")
		}
		b.WriteString("\n")
		shown := shownHops(c.Hops)
		writeHopTable(&b, c, shown, st)
		b.WriteString("\n")
		writeDelayChart(&b, shown, st)
	}
	b.WriteString("\n")
	writeSummary(&b, c, st)
	writeAuth(&b, c.Auth, st)
	_, err := io.WriteString(w, b.String())
	return err
}

// shownHops picks the hops to list; nil stands for the ones left out.
func shownHops(hops []*Hop) []*Hop {
	if len(hops) <= maxHopRows {
		return hops
	}
	out := append([]*Hop{}, hops[:maxHopRows/2]...)
	out = append(out, nil)
	return append(out, hops[len(hops)-maxHopRows/2:]...)
}

func writeHopTable(b *strings.Builder, c *Chain, hops []*Hop, st Style) {
	rows := [][]string{{"#", "DELAY", "FROM", "BY", "WITH", "TLS", "TIME", "ID"}}
	var notes []string
	for _, h := range hops {
		if h == nil {
			rows = append(rows, []string{"…", "", fmt.Sprintf("(%d hops not shown)", len(c.Hops)-maxHopRows), "", "", "", "", ""})
			continue
		}
		delay := "?"
		switch {
		case h.DelayOK && h.N == 1:
			delay = FormatDelay(h.Delay) + "*"
		case h.DelayOK:
			delay = FormatDelay(h.Delay)
		case h.N == 1 && h.TimeOK:
			delay = "-" // no Date field to count from
		}
		when := "?"
		if h.TimeOK {
			when = h.Time.UTC().Format("2006-01-02 15:04:05Z")
		} else if h.Date != "" || h.N > 0 {
			what := "no date"
			switch {
			case DateOutOfRange(h.Date):
				what = "date out of range (before 1970 or over a year ahead): " + quote(clip(h.Date, 60))
			case h.Date != "":
				what = "date unreadable: " + quote(clip(h.Date, 60))
			}
			notes = append(notes, fmt.Sprintf("hop %d: %s", h.N, what))
		}
		if h.DelayDoubt != "" {
			notes = append(notes, fmt.Sprintf("hop %d: delay unknown: %s", h.N, h.DelayDoubt))
		}
		tls := h.TLS
		if tls == "" {
			tls = "-"
		}
		rows = append(rows, []string{strconv.Itoa(h.N), delay, orDash(hopFrom(h)), orDash(h.By), orDash(h.Protocol), tls, when, h.ID})
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, cell := range r {
			r[i] = printable(cell)
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	for i, r := range rows {
		var line strings.Builder
		for j, cell := range r {
			pad := widths[j] - utf8.RuneCountInString(cell)
			if j == 0 || j == 1 {
				line.WriteString(strings.Repeat(" ", pad) + cell) // numbers align right
			} else {
				line.WriteString(cell + strings.Repeat(" ", pad))
			}
			if j < len(r)-1 {
				line.WriteString("  ")
			}
		}
		text := strings.TrimRight(line.String(), " ")
		if i > 0 && r[1] != "" && strings.HasPrefix(r[1], "-") && r[1] != "-" {
			text = st.warn(text)
		}
		b.WriteString(text + "\n")
	}
	if len(c.Hops) > 0 && c.Hops[0].DelayOK {
		b.WriteString("* hop 1's delay counts from the Date field, when the author's program dated the message\n")
	}
	for _, n := range notes {
		b.WriteString(st.note(n) + "\n")
	}
}

// hopFrom names the sending host with its address: "batatas [193.137.239.227]".
func hopFrom(h *Hop) string {
	switch {
	case h.From == "" && h.Comment != "" && h.By == "":
		return "(" + clip(h.Comment, 60) + ")" // qmail's "(qmail 123 invoked by uid 89)"
	case h.IP != "" && addrIn(h.From) != h.IP:
		return h.From + " [" + h.IP + "]"
	}
	return h.From
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeDelayChart draws one bar per hop, scaled to the longest delay and
// to the terminal's width.
func writeDelayChart(b *strings.Builder, hops []*Hop, st Style) {
	var longest time.Duration
	labelW, delayW := 0, 0
	for _, h := range hops {
		if h == nil {
			continue
		}
		labelW = max(labelW, len(strconv.Itoa(h.N)))
		if h.DelayOK {
			longest = max(longest, h.Delay)
			delayW = max(delayW, len(FormatDelay(h.Delay)))
		}
	}
	barW := st.width() - (len("hop ") + labelW + 2) - (delayW + 2) - 24
	barW = min(max(barW, 10), 60)
	b.WriteString("delays:\n")
	for _, h := range hops {
		if h == nil {
			b.WriteString("  …\n")
			continue
		}
		label := fmt.Sprintf("hop %*d  ", labelW, h.N)
		switch {
		case !h.DelayOK:
			b.WriteString(label + strings.Repeat(" ", barW) + "  ?\n")
		case h.Delay < 0:
			b.WriteString(label + strings.Repeat(" ", barW) + "  " + st.warn(FormatDelay(h.Delay)+" (negative: this server's clock is behind the previous one's)") + "\n")
		default:
			n := 0
			if longest > 0 {
				n = int(math.Round(float64(h.Delay) / float64(longest) * float64(barW)))
			}
			if n == 0 && h.Delay > 0 {
				n = 1
			}
			bar := strings.Repeat(st.bar(), n) + strings.Repeat(" ", barW-n)
			b.WriteString(label + bar + "  " + fmt.Sprintf("%-*s", delayW, FormatDelay(h.Delay)) + "  " + printable(clip(h.Short(), 60)) + "\n")
		}
	}
}

func writeSummary(b *strings.Builder, c *Chain, st Style) {
	last := lastTimed(c.Hops)
	switch {
	case c.TotalOK && c.TotalFromDate:
		fmt.Fprintf(b, "total transit: %s, from the Date field (%s) to hop %d (%s)\n", FormatDelay(c.Total), c.Sent.UTC().Format("2006-01-02 15:04:05Z"), last.N, last.Time.UTC().Format("2006-01-02 15:04:05Z"))
	case c.TotalOK:
		first := firstTimed(c.Hops)
		fmt.Fprintf(b, "total transit: %s, from hop %d to hop %d (no readable Date field)\n", FormatDelay(c.Total), first.N, last.N)
	case c.TotalDoubt != "":
		fmt.Fprintf(b, "total transit: ? (%s)\n", c.TotalDoubt)
	default:
		b.WriteString("total transit: ? (fewer than two readable times)\n")
	}
	if c.Total < 0 && c.TotalOK {
		b.WriteString(st.warn("the total is negative: the clocks of the author's machine and the servers disagree") + "\n")
	}
	switch {
	case c.Slowest == nil:
		b.WriteString("slowest hop: ? (no delay could be measured)\n")
	case c.Slowest.Delay <= 0:
		b.WriteString("slowest hop: none took measurable time\n")
	default:
		fmt.Fprintf(b, "slowest hop: %d, %s, %s\n", c.Slowest.N, printable(c.Slowest.Short()), FormatDelay(c.Slowest.Delay))
	}
}

func firstTimed(hops []*Hop) *Hop {
	for _, h := range hops {
		if h.TimeOK {
			return h
		}
	}
	return nil
}

func lastTimed(hops []*Hop) *Hop {
	for i := len(hops) - 1; i >= 0; i-- {
		if hops[i].TimeOK {
			return hops[i]
		}
	}
	return nil
}

// authOrder puts the three results the lecture cares for first.
var authOrder = map[string]int{"spf": 0, "dkim": 1, "dmarc": 2}

func writeAuth(b *strings.Builder, rs []AuthResult, st Style) {
	b.WriteString("\n")
	if len(rs) == 0 {
		b.WriteString("authentication: no SPF, DKIM or DMARC results (no Authentication-Results or Received-SPF field)\n")
		return
	}
	b.WriteString("authentication (Authentication-Results, Received-SPF):\n")
	ordered := make([]AuthResult, 0, len(rs))
	for rank := 0; rank <= 3; rank++ {
		for _, r := range rs {
			o, ok := authOrder[r.Method]
			if (ok && o == rank) || (!ok && rank == 3) {
				ordered = append(ordered, r)
			}
		}
	}
	mw, rw := 0, 0
	for _, r := range ordered {
		mw, rw = max(mw, len(r.Method)), max(rw, len(r.Result))
	}
	for _, r := range ordered {
		line := fmt.Sprintf("  %-*s  %-*s", mw, strings.ToUpper(r.Method), rw, r.Result)
		if len(r.Props) > 0 {
			line += "  " + strings.Join(r.Props, " ")
		}
		where := r.Field
		if r.AuthServ != "" {
			where = r.AuthServ + ", " + where
		}
		line += "  (" + where + ")"
		line = printable(clip(line, 300))
		if r.Result != "pass" && r.Result != "none" {
			line = st.warn(line)
		}
		b.WriteString(line + "\n")
	}
}

// FormatDelay writes a delay for a person: "0s", "15m30s", "2h5m0s",
// "3d4h0m0s", "-5s".
func FormatDelay(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	d = d.Round(time.Second)
	s := ""
	if d >= 48*time.Hour {
		days := d / (24 * time.Hour)
		d -= days * 24 * time.Hour
		s = strconv.FormatInt(int64(days), 10) + "d"
		if d > 0 {
			s += d.String()
		}
	} else {
		s = d.String()
	}
	if neg {
		return "-" + s
	}
	return s
}
