// Package pop3 is POP3 for mailsh's protocol engine (RFC 1939, with CAPA
// of RFC 2449, STLS of RFC 2595 and AUTH of RFC 5034), as a client speaks
// it: one status line a reply, a dot-terminated body after the positive
// reply to a listing or a retrieval.
package pop3

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// Protocol is POP3.
var Protocol = &proto.Spec{
	Name:  "pop3",
	Table: Commands,
	// RFC 1939 (110), RFC 8314 (995).
	Schemes: map[string]proto.Scheme{
		"pop3":  {Port: 110},
		"pop":   {Port: 110},
		"pop3s": {Port: 995, ImplicitTLS: true},
		"pops":  {Port: 995, ImplicitTLS: true},
	},
	Scheme: "pop3", SchemeTLS: "pop3s",
	Greets: func(line []byte) bool {
		return hasPrefixFold(string(line), "+OK") || hasPrefixFold(string(line), "-ERR")
	},
	GreetingLooks: "+OK",
	Greeting:      greetingCmd, SASLAnswer: saslCmd,
	StartTLS: "STLS", AfterTLS: Authorization,
	ParseStatus: func(line string) (*proto.Reply, error) { return parseStatus([]byte(line)) },
	Class:       class, Label: func(r *proto.Reply) string { return r.Status }, Explain: explain, Temporary: temporary,
	ExplainWord: explainWord,
	Closes:      func(*proto.Reply, *proto.Cmd) bool { return false },
	// RFC 2449 §5: CAPA is optional; a server that never answered it is
	// taken to support everything.
	Advertised: func(s *proto.Snapshot, ext string) (string, bool) {
		if !s.CapsKnown {
			return "", true
		}
		v, ok := s.Caps[strings.ToUpper(ext)]
		return v, ok
	},
	Mechanisms: "SASL",
	Quit:       "QUIT",
	Auth:       "AUTH", InitialResponse: func(*proto.Snapshot) bool { return true },
	Login: &proto.Login{States: proto.States(Authorization), Where: "log in from the AUTHORIZATION state",
		Plain: "USER", PreferPlain: true, PlainLogin: LoginUserPass,
		Digest: "APOP", DigestLogin: LoginAPOP,
		Methods: []proto.LoginMethod{
			{Name: "USER", Help: "USER and PASS (RFC 1939)"},
			{Name: "APOP", Help: "MD5 digest of the greeting's timestamp and the password", Offer: func(s *proto.Snapshot) bool { return s.APOPStamp != "" }},
		}},
	Report:   report,
	Retrieve: func(n string) string { return "RETR " + n },
	Hooks:    &proto.Hooks{NewLearnt: newLearnt, Fill: fill},
}

// POP3's states (RFC 1939).
var (
	// Authorization: the AUTHORIZATION state of RFC 1939 §3.
	Authorization = proto.NewState("auth", "AUTHORIZATION: log in with USER/PASS, APOP or AUTH", proto.Commands)
	// User: USER accepted; PASS comes next (RFC 1939 §7).
	User = proto.NewState("pass", "user name accepted; send PASS", proto.Commands)
	// SASL: in a SASL exchange (RFC 5034).
	SASL = proto.NewState("sasl", "authenticating; answer the server's challenge (\"*\" cancels)", proto.SASLAnswer)
	// Transaction: the TRANSACTION state of RFC 1939 §5.
	Transaction = proto.NewState("trans", "TRANSACTION: STAT, LIST, RETR, DELE, …; QUIT applies deletions", proto.Commands)
)

var (
	greetingCmd = &proto.Command{Name: "(greeting)", RFC: "RFC 1939 §4",
		OnOK: Authorization, OnFail: proto.StateClosed, Effect: learnGreeting}
	saslCmd = &proto.Command{Name: "(sasl)", RFC: "RFC 5034 §4",
		OnOK: Transaction, OnCont: SASL, OnFail: Authorization, Effect: learnAuth}
)

// learnt is what POP3 learns besides the capabilities and the messages,
// which the engine keeps: the greeting's APOP timestamp.
type learnt struct{ stamp string }

func newLearnt(any) any { return &learnt{} }

func fill(s *proto.Session, snap *proto.Snapshot) { snap.APOPStamp = s.Learnt().(*learnt).stamp }

// learnGreeting keeps the greeting and its APOP timestamp (RFC 1939 §7).
func learnGreeting(m *proto.Session, _ string, r *proto.Reply) {
	m.SetGreeting(r.Message())
	if r.Class() == proto.ClassPositive {
		m.Learnt().(*learnt).stamp = APOPTimestamp(m.Greeting())
	}
}

// LoginUserPass logs in with USER and PASS (RFC 1939 §7).
func LoginUserPass(c *proto.Client, user, pass string) (*proto.Reply, error) {
	_, rep, err := c.Command("USER " + user)
	if err != nil || rep.Class() != proto.ClassPositive {
		return rep, err
	}
	_, rep, err = c.Command("PASS " + pass)
	return rep, err
}

// LoginAPOP logs in with APOP (RFC 1939 §7), using the timestamp from the
// greeting.
func LoginAPOP(c *proto.Client, user, pass string) (*proto.Reply, error) {
	stamp := c.Machine.Snapshot().APOPStamp
	if stamp == "" {
		return nil, errors.New("the server's greeting has no timestamp, so it does not offer APOP")
	}
	_, rep, err := c.Command("APOP " + user + " " + APOPDigest(stamp, pass))
	return rep, err
}

// APOPDigest is the RFC 1939 §7 digest: the lower-case hex MD5 of the
// greeting's timestamp followed by the shared secret.
func APOPDigest(timestamp, secret string) string {
	sum := md5.Sum([]byte(timestamp + secret))
	return hex.EncodeToString(sum[:])
}

// APOPTimestamp finds the RFC 1939 §7 timestamp in a POP3 greeting: a
// msg-id such as <1896.697170952@dbc.mtview.ca.us>. It returns "" if the
// greeting has none, in which case the server does not offer APOP.
func APOPTimestamp(greeting string) string {
	start := strings.IndexByte(greeting, '<')
	if start < 0 {
		return ""
	}
	end := strings.IndexByte(greeting[start:], '>')
	if end < 0 {
		return ""
	}
	ts := greeting[start : start+end+1]
	if !strings.Contains(ts, "@") || strings.ContainsAny(ts[1:len(ts)-1], "<> ") {
		return ""
	}
	return ts
}

// report is what :state says of a POP3 session.
func report(s *proto.Snapshot) []string {
	var out []string
	if s.APOPStamp != "" {
		out = append(out, fmt.Sprintf("APOP:     offered (timestamp %s)", s.APOPStamp))
	}
	if s.CapsKnown {
		out = append(out, "capabilities:")
		out = append(out, proto.ReportTable(s.Caps)...)
	} else {
		out = append(out, "capabilities: unknown (send CAPA)")
	}
	if s.State == Transaction {
		out = append(out, proto.ReportMessages(s, "unknown (send STAT or LIST)"))
	}
	return out
}

// codes explains POP3's indicators (RFC 1939 §3, RFC 5034 §4) and the
// response codes of RFC 2449 §8 and RFC 3206.
var codes = map[string]string{
	"+OK":         "positive: the command succeeded",
	"-ERR":        "negative: the command failed (POP3 has no separate temporary failures; see the response code)",
	"+":           "SASL continuation: send the next response, base64-encoded (RFC 5034)",
	"IN-USE":      "the mailbox is locked by another session; try later (RFC 2449 §8.1.1)",
	"LOGIN-DELAY": "logging in again so soon is not allowed; wait (RFC 2449 §8.1.2)",
	"SYS/TEMP":    "a temporary system problem, not your fault; retry later (RFC 3206)",
	"SYS/PERM":    "a permanent system problem; retrying will not help (RFC 3206)",
	"AUTH":        "the credentials were wrong (RFC 3206)",
}

// explain explains a status and its response code.
func explain(r *proto.Reply) string {
	s := codes[r.Status]
	if r.RespCode != "" {
		// RFC 2449 §8: codes are hierarchical ("SYS/TEMP"); fall back
		// on the first level.
		code := strings.ToUpper(r.RespCode)
		e, ok := codes[code]
		if !ok {
			top, _, _ := strings.Cut(code, "/")
			e, ok = codes[top]
		}
		if ok {
			s += "; [" + r.RespCode + "] " + e
		}
	}
	return s
}

// explainWord explains a status indicator or a response code.
func explainWord(f string) (string, bool) {
	if e, ok := codes[strings.ToUpper(f)]; ok {
		return f + ": " + e, true
	}
	return "", false
}
