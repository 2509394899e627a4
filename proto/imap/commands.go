package imap

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// Commands is the IMAP command table (RFC 9051, with RFC 3501's
// commands that IMAP4rev2 dropped, and the extensions servers advertise).
// A command needing an extension is offered only once the server's
// capabilities are known to include it.
var Commands = proto.Table{
	{Name: "CAPABILITY", Arity: proto.ArgNone, RFC: "RFC 9051 §6.1.1",
		Help:   "list the server's capabilities",
		States: anyState},
	{Name: "NOOP", Arity: proto.ArgNone, RFC: "RFC 9051 §6.1.2",
		Help:   "do nothing; the server sends any updates it has (new mail)",
		States: anyState},
	{Name: "LOGOUT", Arity: proto.ArgNone, RFC: "RFC 9051 §6.1.3",
		Help:   "end the session",
		States: anyState, OnOK: proto.StateClosed, Effect: learnLogout},
	{Name: "ID", Syntax: "NIL | (\"name\" \"value\" …)", Arity: proto.ArgOptional, RFC: "RFC 2971", Ext: "ID",
		Help:   "tell the server who you are, and hear who it is",
		States: anyState},
	{Name: "STARTTLS", Arity: proto.ArgNone, RFC: "RFC 9051 §6.2.1", Ext: "STARTTLS",
		Help:   "switch the connection to TLS",
		States: proto.States(NotAuth),
		Offer:  func(s *proto.Snapshot) bool { return !s.TLS }},
	{Name: "AUTHENTICATE", Syntax: "<mechanism> [initial-response]", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.2.2",
		Args:   []proto.ArgKind{proto.ArgMechanism},
		Help:   "log in with a SASL mechanism the server lists as AUTH=",
		States: proto.States(NotAuth), Secret: redactAuthenticate, SecretAfter: 1,
		OnCont: SASL, OnOK: Auth, Effect: learnLogin},
	{Name: "LOGIN", Syntax: "<user> <password>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.2.3",
		Help:   "log in with a user name and password (in clear text unless the connection uses TLS)",
		States: proto.States(NotAuth), Secret: redactLogin, SecretAfter: 1,
		AskSecret: "password: ", SecretForm: Quote,
		Offer: loginEnabled,
		OnOK:  Auth, Effect: learnLogin},
	{Name: "ENABLE", Syntax: "<capability>…", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.1", Ext: "ENABLE",
		Args:   []proto.ArgKind{proto.ArgCapability},
		Help:   "turn on an extension (CONDSTORE, UTF8=ACCEPT, …)",
		States: authed},
	{Name: "SELECT", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.2",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "open a mailbox to read and change it",
		States: authed, OnOK: Selected, OnFail: Auth, Effect: learnSelect},
	{Name: "EXAMINE", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.3",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "open a mailbox read-only",
		States: authed, OnOK: Selected, OnFail: Auth, Effect: learnSelect},
	{Name: "CREATE", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.4",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "create a mailbox",
		States: authed, Effect: learnCreate},
	{Name: "DELETE", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.5",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "delete a mailbox",
		States: authed, Effect: learnDelete},
	{Name: "RENAME", Syntax: "<mailbox> <new-name>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.6",
		Args:   []proto.ArgKind{proto.ArgMailbox, proto.ArgText},
		Help:   "rename a mailbox",
		States: authed, Effect: learnRename},
	{Name: "SUBSCRIBE", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.7",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "add a mailbox to the subscribed ones",
		States: authed},
	{Name: "UNSUBSCRIBE", Syntax: "<mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.8",
		Args:   []proto.ArgKind{proto.ArgMailbox},
		Help:   "remove a mailbox from the subscribed ones",
		States: authed},
	{Name: "LIST", Syntax: "<reference> <pattern> [RETURN (<options>)]", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.9",
		Args:   []proto.ArgKind{proto.ArgReference, proto.ArgPattern, proto.ArgListReturn},
		Help:   "list mailboxes: LIST \"\" \"*\" lists them all",
		States: authed},
	{Name: "LSUB", Syntax: "<reference> <pattern>", Arity: proto.ArgRequired, RFC: "RFC 3501 §6.3.9",
		Args:   []proto.ArgKind{proto.ArgReference, proto.ArgPattern},
		Help:   "list subscribed mailboxes (IMAP4rev1)",
		States: authed},
	{Name: "NAMESPACE", Arity: proto.ArgNone, RFC: "RFC 9051 §6.3.10", Ext: "NAMESPACE",
		Help:   "show the personal, other users' and shared namespaces",
		States: authed},
	{Name: "STATUS", Syntax: "<mailbox> (<item>…)", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.11",
		Args:   []proto.ArgKind{proto.ArgMailbox, proto.ArgStatusItems},
		Help:   "count a mailbox's messages without selecting it",
		States: authed},
	{Name: "APPEND", Syntax: "<mailbox> [(<flags>)] [<date>] {<octets>}", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.3.12",
		Args:   []proto.ArgKind{proto.ArgMailbox, proto.ArgFlags},
		Help:   "add a message to a mailbox, sent as a literal (:append sends a file)",
		States: authed},
	{Name: "IDLE", Arity: proto.ArgNone, RFC: "RFC 2177", Ext: "IDLE",
		Help:   "wait for updates as they happen; DONE ends it",
		States: authed, OnCont: Idle},
	{Name: "CLOSE", Arity: proto.ArgNone, RFC: "RFC 9051 §6.4.1",
		Help:   "leave the mailbox, expunging messages marked \\Deleted",
		States: proto.States(Selected), OnOK: Auth, Effect: learnUnselect},
	{Name: "UNSELECT", Arity: proto.ArgNone, RFC: "RFC 9051 §6.4.2", Ext: "UNSELECT",
		Help:   "leave the mailbox without expunging",
		States: proto.States(Selected), OnOK: Auth, Effect: learnUnselect},
	{Name: "EXPUNGE", Arity: proto.ArgNone, RFC: "RFC 9051 §6.4.3",
		Help:   "remove the messages marked \\Deleted",
		States: proto.States(Selected)},
	{Name: "SEARCH", Syntax: "<key>…", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.4",
		Args:   []proto.ArgKind{proto.ArgSearchKey},
		Help:   "find messages: SEARCH UNSEEN, SEARCH FROM alice, …",
		States: proto.States(Selected)},
	{Name: "FETCH", Syntax: "<sequence> <items>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.5",
		Args:   []proto.ArgKind{proto.ArgSequence, proto.ArgFetchItem},
		Help:   "read messages: FETCH 1 BODY[], FETCH 1:* (FLAGS RFC822.SIZE)",
		States: proto.States(Selected)},
	{Name: "STORE", Syntax: "<sequence> [+|-]FLAGS[.SILENT] (<flags>)", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.6",
		Args:   []proto.ArgKind{proto.ArgSequence, proto.ArgStoreOp, proto.ArgFlags},
		Help:   "change flags: STORE 1 +FLAGS (\\Seen)",
		States: proto.States(Selected)},
	{Name: "COPY", Syntax: "<sequence> <mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.7",
		Args:   []proto.ArgKind{proto.ArgSequence, proto.ArgMailbox},
		Help:   "copy messages to another mailbox",
		States: proto.States(Selected)},
	{Name: "MOVE", Syntax: "<sequence> <mailbox>", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.8", Ext: "MOVE",
		Args:   []proto.ArgKind{proto.ArgSequence, proto.ArgMailbox},
		Help:   "move messages to another mailbox",
		States: proto.States(Selected)},
	{Name: "UID", Syntax: "FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE …", Arity: proto.ArgRequired, RFC: "RFC 9051 §6.4.9",
		Args:   []proto.ArgKind{proto.ArgSubcommand},
		Help:   "the same commands with UIDs in place of message numbers",
		States: proto.States(Selected)},
	{Name: "CHECK", Arity: proto.ArgNone, RFC: "RFC 3501 §6.4.1",
		Help:   "ask for a checkpoint of the mailbox (IMAP4rev1)",
		States: proto.States(Selected)},
}

// uidCommands are the commands UID may prefix (RFC 9051 §6.4.9), with
// UIDs in place of message numbers.
var uidCommands = []string{"FETCH", "STORE", "COPY", "MOVE", "SEARCH", "EXPUNGE"}

var (
	anyState = proto.States(NotAuth, Auth, Selected)
	authed   = proto.States(Auth, Selected)

	// greetingCmd stands for the greeting: "* OK" leads to the Not
	// Authenticated state, "* PREAUTH" to Authenticated, "* BYE" closes
	// (RFC 9051 §7.1.1, §7.1.4, §7.1.5).
	greetingCmd = &proto.Command{Name: "(greeting)", RFC: "RFC 9051 §7.1",
		OnOK: NotAuth, OnFail: proto.StateClosed, Effect: learnGreeting}
)

// loginEnabled: RFC 9051 §6.2.3, a server that advertises LOGINDISABLED
// refuses LOGIN (typically until STARTTLS).
func loginEnabled(s *proto.Snapshot) bool {
	_, disabled := s.Caps["LOGINDISABLED"]
	return !s.CapsKnown || !disabled
}

func redactAuthenticate(arg string) string {
	if shown := proto.RedactAuth(arg); shown != "" {
		return "AUTHENTICATE" + strings.TrimPrefix(shown, "AUTH")
	}
	return ""
}

func redactLogin(arg string) string {
	user, _, _ := cutIMAPArg(arg)
	return "LOGIN " + user + " [redacted]"
}

// cutIMAPArg splits off the first argument of an IMAP command, which may
// be a quoted string with spaces in it.
func cutIMAPArg(arg string) (first, rest string, ok bool) {
	if arg == "" {
		return "", "", false
	}
	if arg[0] == '"' {
		_, n := quoted(arg)
		first, rest = arg[:n], arg[n:]
		if len(rest) > 0 && rest[0] == ' ' {
			return first, rest[1:], true
		}
		return first, rest, rest != ""
	}
	first, rest, ok = cutSpace(arg)
	return first, rest, ok
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
