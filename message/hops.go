package message

import (
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Hop is one Received field (RFC 5321 §4.4): one server's note that it
// took the message from another.
//
//	Received: from student.estg.iplei.pt (localhost.localdomain [127.0.0.1])
//	    by student.student.estg.ipleiria.pt (8.12.3/8.12.3) with ESMTP id
//	    gBBKQqNA026221 for <vmc@estg.iplei.pt>; Wed, 11 Dec 2002 20:26:52 GMT
type Hop struct {
	// N numbers the hops from the bottom of the header up: hop 1 is the
	// oldest, the server that first received the message.
	N int
	// From is the name the sending host gave (its HELO/EHLO) or, for mail
	// made on the receiving host, a user or program.
	From string
	// FromRDNS is the name the receiver found for the sender's address.
	FromRDNS string
	// IP is the sending host's address, as the receiver saw it.
	IP string
	// By is the receiving host; ByInfo its software or address comment.
	By, ByInfo string
	// With is the protocol as written (RFC 3848: SMTP, ESMTP, ESMTPS,
	// ESMTPA, ESMTPSA, LMTP, …; also "local", "HTTPS", "Microsoft SMTP
	// Server"); Protocol is the same in the RFC's upper case.
	With, Protocol string
	// TLS: "TLSv1.3" (the version if the field gives it), "yes" (the
	// protocol or a comment says TLS without a version), "no" (a plain
	// SMTP protocol), or "" (nothing is said).
	TLS string
	// Cipher is the TLS cipher suite, when the field names it.
	Cipher string
	// ID is the receiver's queue identifier; For the recipient.
	ID, For string
	// Via names a link that is not TCP ("Frontend Transport").
	Via string
	// Comment holds what the field says outside any clause, such as
	// qmail's "(qmail 12345 invoked by uid 89)".
	Comment string
	// Date is the time stamp as written; Time its value when readable.
	Date   string
	Time   time.Time
	TimeOK bool
	// Delay is the time since the previous hop (for hop 1, since the
	// Date field); DelayOK is false when either time is unreadable, or
	// the delay cannot be real, as DelayDoubt then says.
	Delay      time.Duration
	DelayOK    bool
	DelayDoubt string
	// Raw is the field's value, unfolded.
	Raw string
}

// token is a word or a comment of a Received field.
type token struct {
	text    string
	comment bool // "(…)", without the parentheses
}

// tokenize splits the clauses of a Received field into words and
// comments (RFC 5322 §3.2.2), keeping "<…>" paths whole.
func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s) && len(out) < 400; {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth, j := 0, i
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			end := min(j, len(s))
			out = append(out, token{text: strings.TrimSpace(s[i+1 : end]), comment: true})
			i = end + 1
		case c == '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				j = len(s) - i - 1
			}
			out = append(out, token{text: s[i : i+j+1]})
			i += j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n(", rune(s[j])) {
				if s[j] == '"' {
					// A quoted string is part of the word (RFC 5322 §3.2.4).
					for j++; j < len(s) && s[j] != '"'; j++ {
						if s[j] == '\\' {
							j++
						}
					}
				}
				j++
			}
			j = min(j, len(s))
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out
}

// splitDate separates the clauses from the date after the last ";" that
// is outside comments (RFC 5321 §4.4: Stamp ends "; date-time").
func splitDate(s string) (clauses, date string) {
	depth, last := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth == 0 {
				last = i
			}
		}
	}
	if last < 0 {
		return s, ""
	}
	return s[:last], strings.TrimSpace(s[last+1:])
}

var keywords = map[string]bool{"from": true, "by": true, "via": true, "with": true, "id": true, "for": true}

// ParseReceived reads one Received field's value. It reads the clauses of
// RFC 5321 §4.4 (from, by, via, with, id, for) in any order, the comments
// that real servers put after them (Sendmail, Postfix, Exim, qmail,
// Microsoft Exchange and Outlook.com, Gmail), and the date after the last
// ";". What it cannot read stays empty; it never fails.
func ParseReceived(value string) *Hop {
	value = strings.Join(strings.Fields(value), " ")
	if len(value) > maxFieldParse {
		value = value[:maxFieldParse]
	}
	h := &Hop{Raw: value}
	clauses, date := splitDate(value)
	h.Date = date
	h.Time, h.TimeOK = ParseDate(date)
	toks := tokenize(clauses)
	clause := ""      // the clause being read
	afterWord := true // a clause's value still to come
	var fromInfo, byInfo, other []string
	var withWords []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.comment {
			switch clause {
			case "from":
				fromInfo = append(fromInfo, t.text)
			case "by":
				byInfo = append(byInfo, t.text)
			default:
				other = append(other, t.text)
			}
			if clause == "with" {
				afterWord = false
			}
			continue
		}
		lw := strings.ToLower(t.text)
		if keywords[lw] && i+1 < len(toks) {
			clause, afterWord = lw, true
			continue
		}
		if !afterWord && clause == "with" && lw == "tls" && i+1 < len(toks) && !toks[i+1].comment {
			// Exim 4.9x: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
			h.Cipher = toks[i+1].text
			i++
			continue
		}
		switch clause {
		case "from":
			if h.From == "" {
				h.From = t.text
			} else {
				fromInfo = append(fromInfo, t.text)
			}
		case "by":
			if h.By == "" {
				h.By = t.text
			} else {
				byInfo = append(byInfo, t.text)
			}
		case "with":
			if afterWord {
				withWords = append(withWords, t.text)
			} else {
				other = append(other, t.text)
			}
		case "id":
			if h.ID == "" {
				h.ID = t.text
			}
		case "for":
			if h.For == "" {
				h.For = t.text
			}
		case "via":
			h.Via = strings.TrimSpace(h.Via + " " + t.text)
		default:
			other = append(other, t.text)
		}
	}
	h.With = strings.Join(withWords, " ")
	h.ByInfo = strings.Join(byInfo, " ")
	h.Comment = strings.Join(other, "; ")
	h.readFrom(fromInfo)
	h.readProtocol()
	h.readTLS(append(append(append([]string{}, fromInfo...), byInfo...), other...))
	return h
}

// readFrom reads the TCP-info after the from name (RFC 5321 §4.4):
// "(rdns [ip])" (Sendmail, Postfix), "([ip])", "(ip)" (Microsoft),
// "(rdns [ip]:port)", "([ip] helo=name)" and "(helo=name)" (Exim), and
// "(HELO name) (ip)" (qmail). Exim and qmail write the name they found
// first and the HELO name in the comment; the others the reverse.
func (h *Hop) readFrom(info []string) {
	name, helo := h.From, ""
	for n, in := range info {
		f := strings.Fields(in)
		for i := 0; i < len(f); i++ {
			w, lw := f[i], strings.ToLower(f[i])
			switch {
			case strings.HasPrefix(lw, "helo="):
				helo = w[5:]
			case (lw == "helo" || lw == "ehlo") && i+1 < len(f):
				helo = f[i+1]
				i++
			case h.IP == "" && addrIn(w) != "":
				h.IP = addrIn(w)
			case n == 0 && h.FromRDNS == "" && h.IP == "" && strings.Contains(w, ".") && !strings.ContainsAny(w, "=[]:@"):
				h.FromRDNS = strings.TrimSuffix(w, ".")
			}
		}
	}
	if h.IP == "" {
		// "from [192.0.2.5] (helo=…)": the address is the name.
		h.IP = addrIn(name)
	}
	if helo != "" && helo != name {
		if addrIn(name) == "" && !strings.EqualFold(name, "unknown") && h.FromRDNS == "" {
			h.FromRDNS = name
		}
		h.From = helo
	}
}

// addrIn returns the IP address in a word such as "[192.0.2.1]",
// "[IPv6:2001:db8::1]", "192.0.2.1", "[::1]:33458", "2603:10a6::20".
func addrIn(w string) string {
	w = strings.Trim(w, "(),;")
	if strings.HasPrefix(w, "[") {
		if end := strings.IndexByte(w, ']'); end > 0 {
			w = w[1:end]
		}
	}
	w = strings.TrimPrefix(strings.TrimPrefix(w, "IPv6:"), "ipv6:")
	if i := strings.IndexByte(w, '%'); i > 0 {
		w = w[:i] // a zone: fe80::1%7
	}
	if a, err := netip.ParseAddr(w); err == nil {
		return a.String()
	}
	if ap, err := netip.ParseAddrPort(w); err == nil {
		return ap.Addr().String()
	}
	return ""
}

// RFC 3848 protocol types, and others seen in Received fields.
var protocols = map[string]string{
	"smtp": "no", "esmtp": "no", "esmtpa": "no", "lmtp": "no", "lmtpa": "no", "utf8smtp": "no", "utf8smtpa": "no", "utf8lmtp": "no", "utf8lmtpa": "no",
	"esmtps": "yes", "esmtpsa": "yes", "lmtps": "yes", "lmtpsa": "yes", "utf8smtps": "yes", "utf8smtpsa": "yes", "utf8lmtps": "yes", "utf8lmtpsa": "yes",
	"smtps": "yes", "https": "yes", "http": "no", "asmtp": "no",
}

func (h *Hop) readProtocol() {
	w := h.With
	if w == "" {
		return
	}
	first := strings.Fields(w)[0]
	// IronPort: "with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384".
	if parts := strings.Split(first, "/"); len(parts) >= 2 && strings.EqualFold(parts[1], "TLS") {
		h.Protocol = strings.ToUpper(parts[0])
		h.TLS = "yes"
		if len(parts) > 2 {
			h.Cipher = strings.Join(parts[2:], "/")
		}
		return
	}
	if tls, ok := protocols[strings.ToLower(first)]; ok && len(strings.Fields(w)) == 1 {
		h.Protocol = strings.ToUpper(first)
		h.TLS = tls
		return
	}
	h.Protocol = w
}

// tlsPatterns are compiled the first time a Received field is read, not
// at start-up.
var tlsPatterns = sync.OnceValue(func() (p struct{ postfix, version, cipher, exim *regexp.Regexp }) {
	// Postfix: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) …)".
	p.postfix = regexp.MustCompile(`(?i)using (TLSv?[0-9._]+|SSLv[0-9]) with cipher ([A-Za-z0-9_-]+)`)
	// Sendmail, Gmail, Microsoft: "version=TLSv1.3 cipher=…", "version=TLS1_2, cipher=…".
	p.version = regexp.MustCompile(`(?i)version=(TLSv?[0-9._]+|SSLv[0-9])`)
	p.cipher = regexp.MustCompile(`(?i)cipher=([A-Za-z0-9_-]+)`)
	// Exim: "(TLS1.2)", "(TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)", "(TLSv1:…)".
	p.exim = regexp.MustCompile(`^(TLSv?[0-9._]+)(?::([A-Za-z0-9_-]+))?`)
	return p
})

// readTLS finds what the comments say about TLS.
func (h *Hop) readTLS(comments []string) {
	if len(comments) == 0 {
		return
	}
	p := tlsPatterns()
	for _, c := range comments {
		if m := p.postfix.FindStringSubmatch(c); m != nil {
			h.TLS, h.Cipher = tlsVersion(m[1]), m[2]
			return
		}
		if m := p.version.FindStringSubmatch(c); m != nil {
			h.TLS = tlsVersion(m[1])
			if m := p.cipher.FindStringSubmatch(c); m != nil {
				h.Cipher = m[1]
			}
			return
		}
		if m := p.exim.FindStringSubmatch(c); m != nil {
			h.TLS = tlsVersion(m[1])
			if m[2] != "" {
				h.Cipher = m[2]
			}
			return
		}
		switch c {
		case "Google Transport Security", "TLS":
			if h.TLS != "" && h.TLS != "yes" && h.TLS != "no" {
				return
			}
			h.TLS = "yes"
		}
	}
}

// tlsVersion writes TLS versions one way: "TLS1_2", "TLSv1.2" and
// "TLS1.2" are all "TLSv1.2".
func tlsVersion(v string) string {
	v = strings.ReplaceAll(v, "_", ".")
	up := strings.ToUpper(v)
	switch {
	case strings.HasPrefix(up, "TLSV"):
		return "TLSv" + v[4:]
	case strings.HasPrefix(up, "TLS"):
		return "TLSv" + v[3:]
	}
	return v
}

// Short names the hop's ends: "batatas → mail.estg.iplei.pt"; a hop
// that names no host, such as qmail's "(qmail 123 invoked by uid 89)",
// by its comment.
func (h *Hop) Short() string {
	switch {
	case h.From == "" && h.By == "" && h.Comment != "":
		return "(" + clip(h.Comment, 60) + ")"
	case h.From == "" && h.By == "":
		return "?"
	case h.From == "":
		return "→ " + h.By
	case h.By == "":
		return h.From + " → ?"
	}
	return h.From + " → " + h.By
}
