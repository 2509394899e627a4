package proto

import (
	"regexp"
	"strconv"
	"strings"
)

// POP3Commands is the POP3 command table (RFC 1939, RFC 2449, RFC 2595,
// RFC 5034).
var POP3Commands = Table{
	{Name: "USER", Syntax: "<name>", Arity: ArgRequired, RFC: "RFC 1939 §7", Ext: "USER",
		Help:   "give your mailbox name; PASS follows",
		States: states(POP3Authorization),
		OnOK:   POP3User, OnFail: POP3Authorization},
	{Name: "PASS", Syntax: "<password>", Arity: ArgRequired, RFC: "RFC 1939 §7",
		Help:   "give your password (in clear text unless the connection uses TLS)",
		States: states(POP3User), Secret: redactArg("PASS"), AskSecret: "password: ",
		OnOK: POP3Transaction, OnFail: POP3Authorization, Effect: learnLogin},
	{Name: "APOP", Syntax: "<name> <digest>", Arity: ArgRequired, RFC: "RFC 1939 §7",
		Help:   "log in with an MD5 digest of the greeting's timestamp and your password",
		States: states(POP3Authorization),
		Offer:  func(s *Snapshot) bool { return s.APOPStamp != "" },
		Secret: redactAPOP, SecretAfter: 1,
		OnOK: POP3Transaction, Effect: learnLogin},
	{Name: "AUTH", ArgKind: ArgMechanism, Syntax: "[mechanism [initial-response]]", Arity: ArgOptional, RFC: "RFC 5034 §4", Ext: "SASL",
		Help:   "log in with a SASL mechanism (AUTH alone lists them)",
		States: states(POP3Authorization), Secret: redactAuth, SecretAfter: 1,
		Multi:  noArg,
		OnCont: POP3Auth, OnOK: POP3Transaction, Effect: learnPOP3Auth,
		Body: learnAuthList},
	{Name: "CAPA", Arity: ArgNone, RFC: "RFC 2449 §5",
		Help:   "list the server's capabilities",
		States: states(POP3Authorization, POP3Transaction),
		Multi:  always, Effect: startCapa, Body: learnCapa},
	{Name: "STLS", Arity: ArgNone, RFC: "RFC 2595 §4", Ext: "STLS",
		Help:   "switch the connection to TLS",
		States: states(POP3Authorization),
		Offer:  func(s *Snapshot) bool { return !s.TLS }},
	{Name: "STAT", Arity: ArgNone, RFC: "RFC 1939 §5",
		Help:   "count the messages and their total size",
		States: states(POP3Transaction), Effect: learnStat},
	{Name: "LIST", ArgKind: ArgMessage, Syntax: "[msg]", Arity: ArgOptional, RFC: "RFC 1939 §5",
		Help:   "list message numbers and sizes",
		States: states(POP3Transaction), Multi: noArg,
		Effect: learnListOne, Body: learnListLine},
	{Name: "RETR", ArgKind: ArgMessage, Syntax: "<msg>", Arity: ArgRequired, RFC: "RFC 1939 §5",
		Help:   "retrieve a whole message",
		States: states(POP3Transaction), Multi: always, Retrieves: true},
	{Name: "TOP", ArgKind: ArgMessageLines, Syntax: "<msg> <lines>", Arity: ArgRequired, RFC: "RFC 1939 §7", Ext: "TOP",
		Help:   "retrieve a message's header and its first lines of body",
		States: states(POP3Transaction), Multi: always, Retrieves: true},
	{Name: "DELE", ArgKind: ArgMessage, Syntax: "<msg>", Arity: ArgRequired, RFC: "RFC 1939 §5",
		Help:   "mark a message deleted (done at QUIT)",
		States: states(POP3Transaction), Effect: learnDele},
	{Name: "UIDL", ArgKind: ArgMessage, Syntax: "[msg]", Arity: ArgOptional, RFC: "RFC 1939 §7", Ext: "UIDL",
		Help:   "list the messages' unique ids",
		States: states(POP3Transaction), Multi: noArg,
		Effect: learnUIDLOne, Body: learnUIDLLine},
	{Name: "NOOP", Arity: ArgNone, RFC: "RFC 1939 §5",
		Help:   "do nothing; check that the server is alive",
		States: states(POP3Transaction)},
	{Name: "RSET", Arity: ArgNone, RFC: "RFC 1939 §5",
		Help:   "unmark all messages marked deleted",
		States: states(POP3Transaction), Effect: learnPOP3Rset},
	{Name: "QUIT", Arity: ArgNone, RFC: "RFC 1939 §6",
		Help:   "end the session; in TRANSACTION, deletions take effect",
		States: states(POP3Authorization, POP3User, POP3Transaction),
		OnOK:   StateClosed, Effect: learnQuit},
}

func redactAPOP(arg string) string {
	name, _, _ := strings.Cut(arg, " ")
	return "APOP " + name + " [redacted]"
}

// countRE finds a message count in a login reply, such as RFC 1939's
// "+OK maildrop has 2 messages (320 octets)" or "Mailbox open, 24 messages".
var countRE = regexp.MustCompile(`(?i)\b(\d+) messages?\b`)

func learnLogin(m *Session, _ string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	m.authed = true
	if sm := countRE.FindStringSubmatch(r.Message()); sm != nil {
		if n, err := strconv.Atoi(sm[1]); err == nil && n < maxMessages {
			m.count = n
		}
	}
}

func learnPOP3Auth(m *Session, arg string, r *Reply) {
	if arg != "" {
		learnLogin(m, arg, r)
	}
}

// learnAuthList reads the mechanism list of a bare AUTH (RFC 1734 style,
// still answered by many servers).
func learnAuthList(m *Session, _ string, line []byte) {
	mech := strings.ToUpper(strings.TrimSpace(string(line)))
	if mech == "" || len(m.capa["SASL"]) > MaxLine/2 {
		return
	}
	for _, v := range strings.Fields(m.capa["SASL"]) {
		if v == mech {
			return
		}
	}
	m.capa["SASL"] = strings.TrimSpace(m.capa["SASL"] + " " + mech)
}

func startCapa(m *Session, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.capa = map[string]string{}
		m.capaKnown = true
	}
}

// learnCapa reads one capability line (RFC 2449 §5): a tag and arguments.
func learnCapa(m *Session, _ string, line []byte) {
	tag, args, _ := strings.Cut(string(line), " ")
	if tag != "" && len(m.capa) < MaxReplyLines {
		m.capa[strings.ToUpper(tag)] = args
	}
}

// maxMessages caps the message numbers learnt, against a hostile server.
const maxMessages = 1 << 22

// scanListing parses "n rest" as in a LIST or UIDL line (RFC 1939 §5).
func scanListing(s string) (int, string, bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, "", false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || n > maxMessages {
		return 0, "", false
	}
	return n, f[1], true
}

func learnStat(m *Session, _ string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	f := strings.Fields(r.Message())
	if len(f) >= 1 {
		if n, err := strconv.Atoi(f[0]); err == nil && n >= 0 && n < maxMessages {
			// STAT counts only live messages; with deletions pending the
			// numbers no longer run 1..n, so keep what LIST said then.
			if len(m.deleted) == 0 {
				m.count = n
			}
		}
	}
}

func learnListOne(m *Session, arg string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	if arg == "" {
		// A full listing follows: start afresh.
		m.sizes = map[int]int64{}
		m.count = -1
		return
	}
	if n, size, ok := scanListing(r.Message()); ok {
		if v, err := strconv.ParseInt(size, 10, 64); err == nil {
			m.sizes[n] = v
		}
	}
}

func learnListLine(m *Session, _ string, line []byte) {
	if n, size, ok := scanListing(string(line)); ok && len(m.sizes) < maxMessages {
		if v, err := strconv.ParseInt(size, 10, 64); err == nil {
			m.sizes[n] = v
		}
	}
}

func learnUIDLOne(m *Session, arg string, r *Reply) {
	if r.Class() == ClassPositive && arg != "" {
		if n, uid, ok := scanListing(r.Message()); ok {
			m.uids[n] = uid
		}
	}
}

func learnUIDLLine(m *Session, _ string, line []byte) {
	if n, uid, ok := scanListing(string(line)); ok && len(m.uids) < maxMessages {
		m.uids[n] = uid
	}
}

func learnDele(m *Session, arg string, r *Reply) {
	if r.Class() != ClassPositive {
		return
	}
	if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n > 0 && n < maxMessages {
		m.deleted[n] = true
	}
}

func learnPOP3Rset(m *Session, _ string, r *Reply) {
	if r.Class() == ClassPositive {
		m.deleted = map[int]bool{}
	}
}
