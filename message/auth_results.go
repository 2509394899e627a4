package message

import (
	"strings"
)

// AuthResult is one verdict a receiving server wrote about the message:
// "spf=pass", "dkim=fail", "dmarc=pass".
type AuthResult struct {
	// Field is the header field it came from: Authentication-Results,
	// ARC-Authentication-Results or Received-SPF.
	Field string
	// AuthServ names the server that checked (the authserv-id, RFC 8601
	// §2.5), or, for Received-SPF, the receiver when it says.
	AuthServ string
	// Method is "spf", "dkim", "dmarc", "arc", "iprev", "auth", …
	Method string
	// Result is "pass", "fail", "softfail", "neutral", "none", "policy",
	// "temperror", "permerror".
	Result string
	// Props are the properties: "smtp.mailfrom=a@example.org",
	// "header.d=example.org", "client-ip=192.0.2.1".
	Props []string
	// Reason is the explanation given: a reason= value or a comment.
	Reason string
}

// methods are the registered Authentication-Results methods (RFC 8601
// §2.7 and the IANA registry), enough to tell a method=result pair from a
// property when a server forgets the ";" between results.
var methods = map[string]bool{
	"auth": true, "dkim": true, "domainkeys": true, "sender-id": true, "spf": true, "iprev": true,
	"dmarc": true, "arc": true, "bimi": true, "dkim-adsp": true, "vbr": true, "rrvs": true,
	"smime": true, "dnswl": true, "compauth": true, "x-tls": true, "dkim-atps": true,
}

// splitOutside splits s at sep where sep is outside comments and quoted
// strings (RFC 5322 §3.2).
func splitOutside(s string, sep byte) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// ParseAuthResults reads an Authentication-Results field (RFC 8601 §2.2,
// which replaced RFC 7001) or an ARC-Authentication-Results field (RFC
// 8617 §4.1.1, the same with "i=N;" first):
//
//	mx.google.com; dkim=pass header.i=@example.org header.s=s1;
//	    spf=pass (google.com: …) smtp.mailfrom=a@example.org;
//	    dmarc=pass (p=REJECT) header.from=example.org
//
// It is lenient: Microsoft's servers leave out the ";" between results,
// and unreadable pieces are skipped.
func ParseAuthResults(field, value string) []AuthResult {
	if len(value) > maxFieldParse {
		value = value[:maxFieldParse]
	}
	pieces := splitOutside(value, ';')
	if len(pieces) > 0 && strings.HasPrefix(strings.TrimSpace(pieces[0]), "i=") {
		pieces = pieces[1:] // ARC instance
	}
	if len(pieces) == 0 {
		return nil
	}
	servTok := tokenize(pieces[0])
	serv := ""
	if len(servTok) > 0 && !servTok[0].comment {
		serv = servTok[0].text
		if strings.Contains(serv, "=") && methods[strings.ToLower(strings.SplitN(serv, "=", 2)[0])] {
			// No authserv-id: Microsoft's "spf=pass (…) …" straight away.
			serv = ""
		} else {
			pieces = pieces[1:]
		}
	}
	var out []AuthResult
	for _, piece := range pieces {
		var cur *AuthResult
		for _, t := range tokenize(piece) {
			if t.comment {
				if cur != nil && cur.Reason == "" {
					cur.Reason = t.text
				}
				continue
			}
			k, v, ok := strings.Cut(t.text, "=")
			if !ok {
				continue
			}
			lk := strings.ToLower(k)
			if i := strings.IndexByte(lk, '/'); i > 0 {
				lk = lk[:i] // method version: "dkim/1=pass"
			}
			switch {
			case methods[lk] && len(out) < 64:
				out = append(out, AuthResult{Field: field, AuthServ: serv, Method: lk, Result: strings.ToLower(strings.Trim(v, `"`))})
				cur = &out[len(out)-1]
			case cur == nil:
			case lk == "reason":
				cur.Reason = strings.Trim(v, `"`)
			case len(cur.Props) < 16:
				cur.Props = append(cur.Props, k+"="+strings.Trim(v, `"`))
			}
		}
	}
	return out
}

// ParseReceivedSPF reads a Received-SPF field (RFC 7208 §9.1):
//
//	pass (mybox.example.org: domain of a@example.com designates
//	    192.0.2.1 as permitted sender) client-ip=192.0.2.1;
//	    envelope-from="a@example.com"; helo=foo.example.com;
func ParseReceivedSPF(value string) (AuthResult, bool) {
	if len(value) > maxFieldParse {
		value = value[:maxFieldParse]
	}
	r := AuthResult{Field: "Received-SPF", Method: "spf"}
	toks := tokenize(strings.ReplaceAll(value, ";", " "))
	if len(toks) == 0 || toks[0].comment {
		return r, false
	}
	r.Result = strings.ToLower(toks[0].text)
	for _, t := range toks[1:] {
		if t.comment {
			if r.Reason == "" {
				r.Reason = t.text
			}
			continue
		}
		k, v, ok := strings.Cut(t.text, "=")
		if !ok || len(r.Props) >= 16 {
			continue
		}
		v = strings.Trim(v, `"`)
		if strings.EqualFold(k, "receiver") {
			r.AuthServ = v
			continue
		}
		r.Props = append(r.Props, strings.ToLower(k)+"="+v)
	}
	switch r.Result {
	case "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror":
		return r, true
	}
	return r, false
}
