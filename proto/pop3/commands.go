package pop3

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/mailsh/mailsh/proto"
)

// Commands is the POP3 command table (RFC 1939, RFC 2449, RFC 2595,
// RFC 5034).
var Commands = proto.Table{
	{Name: "USER", Syntax: "<name>", Arity: proto.ArgRequired, RFC: "RFC 1939 §7", Ext: "USER",
		Help:   "give your mailbox name; PASS follows",
		States: proto.States(Authorization),
		OnOK:   User, OnFail: Authorization},
	{Name: "PASS", Syntax: "<password>", Arity: proto.ArgRequired, RFC: "RFC 1939 §7",
		Help:   "give your password (in clear text unless the connection uses TLS)",
		States: proto.States(User), Secret: proto.RedactArg("PASS"), AskSecret: "password: ",
		OnOK: Transaction, OnFail: Authorization, Effect: learnLogin},
	{Name: "APOP", Syntax: "<name> <digest>", Arity: proto.ArgRequired, RFC: "RFC 1939 §7",
		Help:   "log in with an MD5 digest of the greeting's timestamp and your password",
		States: proto.States(Authorization),
		Offer:  func(s *proto.Snapshot) bool { return s.APOPStamp != "" },
		Secret: redactAPOP, SecretAfter: 1,
		OnOK: Transaction, Effect: learnLogin},
	{Name: "AUTH", ArgKind: proto.ArgMechanism, Syntax: "[mechanism [initial-response]]", Arity: proto.ArgOptional, RFC: "RFC 5034 §4", Ext: "SASL",
		Help:   "log in with a SASL mechanism (AUTH alone lists them)",
		States: proto.States(Authorization), Secret: proto.RedactAuth, SecretAfter: 1,
		Multi:  noArg,
		OnCont: SASL, OnOK: Transaction, Effect: learnPOP3Auth,
		Body: learnAuthList},
	{Name: "CAPA", Arity: proto.ArgNone, RFC: "RFC 2449 §5",
		Help:   "list the server's capabilities",
		States: proto.States(Authorization, Transaction),
		Multi:  always, Effect: startCapa, Body: learnCapa},
	{Name: "STLS", Arity: proto.ArgNone, RFC: "RFC 2595 §4", Ext: "STLS",
		Help:   "switch the connection to TLS",
		States: proto.States(Authorization),
		Offer:  func(s *proto.Snapshot) bool { return !s.TLS }},
	{Name: "STAT", Arity: proto.ArgNone, RFC: "RFC 1939 §5",
		Help:   "count the messages and their total size",
		States: proto.States(Transaction), Effect: learnStat},
	{Name: "LIST", ArgKind: proto.ArgMessage, Syntax: "[msg]", Arity: proto.ArgOptional, RFC: "RFC 1939 §5",
		Help:   "list message numbers and sizes",
		States: proto.States(Transaction), Multi: noArg,
		Effect: learnListOne, Body: learnListLine},
	{Name: "RETR", ArgKind: proto.ArgMessage, Syntax: "<msg>", Arity: proto.ArgRequired, RFC: "RFC 1939 §5",
		Help:   "retrieve a whole message",
		States: proto.States(Transaction), Multi: always, Retrieves: true},
	{Name: "TOP", ArgKind: proto.ArgMessageLines, Syntax: "<msg> <lines>", Arity: proto.ArgRequired, RFC: "RFC 1939 §7", Ext: "TOP",
		Help:   "retrieve a message's header and its first lines of body",
		States: proto.States(Transaction), Multi: always, Retrieves: true},
	{Name: "DELE", ArgKind: proto.ArgMessage, Syntax: "<msg>", Arity: proto.ArgRequired, RFC: "RFC 1939 §5",
		Help:   "mark a message deleted (done at QUIT)",
		States: proto.States(Transaction), Effect: learnDele},
	{Name: "UIDL", ArgKind: proto.ArgMessage, Syntax: "[msg]", Arity: proto.ArgOptional, RFC: "RFC 1939 §7", Ext: "UIDL",
		Help:   "list the messages' unique ids",
		States: proto.States(Transaction), Multi: noArg,
		Effect: learnUIDLOne, Body: learnUIDLLine},
	{Name: "NOOP", Arity: proto.ArgNone, RFC: "RFC 1939 §5",
		Help:   "do nothing; check that the server is alive",
		States: proto.States(Transaction)},
	{Name: "RSET", Arity: proto.ArgNone, RFC: "RFC 1939 §5",
		Help:   "unmark all messages marked deleted",
		States: proto.States(Transaction), Effect: learnPOP3Rset},
	{Name: "QUIT", Arity: proto.ArgNone, RFC: "RFC 1939 §6",
		Help:   "end the session; in TRANSACTION, deletions take effect",
		States: proto.States(Authorization, User, Transaction),
		OnOK:   proto.StateClosed, Effect: learnQuit},
}

func redactAPOP(arg string) string {
	name, _, _ := strings.Cut(arg, " ")
	return "APOP " + name + " [redacted]"
}

// countRE finds a message count in a login reply, such as RFC 1939's
// "+OK maildrop has 2 messages (320 octets)" or "Mailbox open, 24 messages".
var countRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(\d+) messages?\b`) })

func learnLogin(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	m.LoggedIn()
	if sm := countRE().FindStringSubmatch(r.Message()); sm != nil {
		if n, err := strconv.Atoi(sm[1]); err == nil && n < maxMessages {
			m.SetCount(n)
		}
	}
}

func learnPOP3Auth(m *proto.Session, arg string, r *proto.Reply) {
	if arg != "" {
		learnLogin(m, arg, r)
	}
}

// learnAuthList reads the mechanism list of a bare AUTH (RFC 1734 style,
// still answered by many servers).
func learnAuthList(m *proto.Session, _ string, line []byte) {
	mech := strings.ToUpper(strings.TrimSpace(string(line)))
	capa, _ := m.Capabilities()
	if mech == "" || len(capa["SASL"]) > proto.MaxLine/2 {
		return
	}
	for _, v := range strings.Fields(capa["SASL"]) {
		if v == mech {
			return
		}
	}
	capa["SASL"] = strings.TrimSpace(capa["SASL"] + " " + mech)
}

func startCapa(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.SetCapabilities(map[string]string{}, true)
	}
}

// learnCapa reads one capability line (RFC 2449 §5): a tag and arguments.
func learnCapa(m *proto.Session, _ string, line []byte) {
	tag, args, _ := strings.Cut(string(line), " ")
	if capa, _ := m.Capabilities(); tag != "" && len(capa) < proto.MaxReplyLines {
		capa[strings.ToUpper(tag)] = args
	}
}

// maxMessages caps the message numbers learnt, against a hostile server.
const maxMessages = proto.MaxMessages

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

func learnStat(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	f := strings.Fields(r.Message())
	if len(f) >= 1 {
		if n, err := strconv.Atoi(f[0]); err == nil && n >= 0 && n < maxMessages {
			// STAT counts only live messages; with deletions pending the
			// numbers no longer run 1..n, so keep what LIST said then.
			if len(m.Deleted()) == 0 {
				m.SetCount(n)
			}
		}
	}
}

func learnListOne(m *proto.Session, arg string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	if arg == "" {
		// A full listing follows: start afresh.
		m.ForgetSizes()
		return
	}
	if n, size, ok := scanListing(r.Message()); ok {
		if v, err := strconv.ParseInt(size, 10, 64); err == nil {
			m.Sizes()[n] = v
		}
	}
}

func learnListLine(m *proto.Session, _ string, line []byte) {
	if n, size, ok := scanListing(string(line)); ok && len(m.Sizes()) < maxMessages {
		if v, err := strconv.ParseInt(size, 10, 64); err == nil {
			m.Sizes()[n] = v
		}
	}
}

func learnUIDLOne(m *proto.Session, arg string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive && arg != "" {
		if n, uid, ok := scanListing(r.Message()); ok {
			m.UIDs()[n] = uid
		}
	}
}

func learnUIDLLine(m *proto.Session, _ string, line []byte) {
	if n, uid, ok := scanListing(string(line)); ok && len(m.UIDs()) < maxMessages {
		m.UIDs()[n] = uid
	}
}

func learnDele(m *proto.Session, arg string, r *proto.Reply) {
	if r.Class() != proto.ClassPositive {
		return
	}
	if n, err := strconv.Atoi(strings.TrimSpace(arg)); err == nil && n > 0 && n < maxMessages {
		m.Deleted()[n] = true
	}
}

func learnPOP3Rset(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.Undelete()
	}
}

func always(string) bool  { return true }
func noArg(a string) bool { return a == "" }

func learnQuit(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.QuitAccepted()
	}
}

func learnAuth(m *proto.Session, _ string, r *proto.Reply) {
	if r.Class() == proto.ClassPositive {
		m.LoggedIn()
	}
}
