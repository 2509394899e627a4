package proto

import "strings"

// IMAPCommands is the IMAP command table (RFC 9051, with RFC 3501's
// commands that IMAP4rev2 dropped, and the extensions servers advertise).
// A command needing an extension is offered only once the server's
// capabilities are known to include it.
var IMAPCommands = Table{
	{Name: "CAPABILITY", Arity: ArgNone, RFC: "RFC 9051 §6.1.1",
		Help:   "list the server's capabilities",
		States: imapAny},
	{Name: "NOOP", Arity: ArgNone, RFC: "RFC 9051 §6.1.2",
		Help:   "do nothing; the server sends any updates it has (new mail)",
		States: imapAny},
	{Name: "LOGOUT", Arity: ArgNone, RFC: "RFC 9051 §6.1.3",
		Help:   "end the session",
		States: imapAny, OnOK: StateClosed, Effect: learnQuit},
	{Name: "ID", Syntax: "NIL | (\"name\" \"value\" …)", Arity: ArgOptional, RFC: "RFC 2971", Ext: "ID",
		Help:   "tell the server who you are, and hear who it is",
		States: imapAny},
	{Name: "STARTTLS", Arity: ArgNone, RFC: "RFC 9051 §6.2.1", Ext: "STARTTLS",
		Help:   "switch the connection to TLS",
		States: states(IMAPNotAuth),
		Offer:  func(s *Snapshot) bool { return !s.TLS }},
	{Name: "AUTHENTICATE", Syntax: "<mechanism> [initial-response]", Arity: ArgRequired, RFC: "RFC 9051 §6.2.2",
		Args:   []ArgKind{ArgMechanism},
		Help:   "log in with a SASL mechanism the server lists as AUTH=",
		States: states(IMAPNotAuth), Secret: redactAuthenticate, SecretAfter: 1,
		OnCont: IMAPSASL, OnOK: IMAPAuth, Effect: learnIMAPLogin},
	{Name: "LOGIN", Syntax: "<user> <password>", Arity: ArgRequired, RFC: "RFC 9051 §6.2.3",
		Help:   "log in with a user name and password (in clear text unless the connection uses TLS)",
		States: states(IMAPNotAuth), Secret: redactLogin, SecretAfter: 1,
		AskSecret: "password: ", SecretForm: IMAPQuote,
		Offer: loginEnabled,
		OnOK:  IMAPAuth, Effect: learnIMAPLogin},
	{Name: "ENABLE", Syntax: "<capability>…", Arity: ArgRequired, RFC: "RFC 9051 §6.3.1", Ext: "ENABLE",
		Args:   []ArgKind{ArgCapability},
		Help:   "turn on an extension (CONDSTORE, UTF8=ACCEPT, …)",
		States: imapAuthed},
	{Name: "SELECT", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.2",
		Args:   []ArgKind{ArgMailbox},
		Help:   "open a mailbox to read and change it",
		States: imapAuthed, OnOK: IMAPSelected, OnFail: IMAPAuth, Effect: learnSelect},
	{Name: "EXAMINE", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.3",
		Args:   []ArgKind{ArgMailbox},
		Help:   "open a mailbox read-only",
		States: imapAuthed, OnOK: IMAPSelected, OnFail: IMAPAuth, Effect: learnSelect},
	{Name: "CREATE", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.4",
		Args:   []ArgKind{ArgMailbox},
		Help:   "create a mailbox",
		States: imapAuthed, Effect: learnCreate},
	{Name: "DELETE", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.5",
		Args:   []ArgKind{ArgMailbox},
		Help:   "delete a mailbox",
		States: imapAuthed, Effect: learnDelete},
	{Name: "RENAME", Syntax: "<mailbox> <new-name>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.6",
		Args:   []ArgKind{ArgMailbox, ArgText},
		Help:   "rename a mailbox",
		States: imapAuthed, Effect: learnRename},
	{Name: "SUBSCRIBE", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.7",
		Args:   []ArgKind{ArgMailbox},
		Help:   "add a mailbox to the subscribed ones",
		States: imapAuthed},
	{Name: "UNSUBSCRIBE", Syntax: "<mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.3.8",
		Args:   []ArgKind{ArgMailbox},
		Help:   "remove a mailbox from the subscribed ones",
		States: imapAuthed},
	{Name: "LIST", Syntax: "<reference> <pattern> [RETURN (<options>)]", Arity: ArgRequired, RFC: "RFC 9051 §6.3.9",
		Args:   []ArgKind{ArgReference, ArgPattern, ArgListReturn},
		Help:   "list mailboxes: LIST \"\" \"*\" lists them all",
		States: imapAuthed},
	{Name: "LSUB", Syntax: "<reference> <pattern>", Arity: ArgRequired, RFC: "RFC 3501 §6.3.9",
		Args:   []ArgKind{ArgReference, ArgPattern},
		Help:   "list subscribed mailboxes (IMAP4rev1)",
		States: imapAuthed},
	{Name: "NAMESPACE", Arity: ArgNone, RFC: "RFC 9051 §6.3.10", Ext: "NAMESPACE",
		Help:   "show the personal, other users' and shared namespaces",
		States: imapAuthed},
	{Name: "STATUS", Syntax: "<mailbox> (<item>…)", Arity: ArgRequired, RFC: "RFC 9051 §6.3.11",
		Args:   []ArgKind{ArgMailbox, ArgStatusItems},
		Help:   "count a mailbox's messages without selecting it",
		States: imapAuthed},
	{Name: "APPEND", Syntax: "<mailbox> [(<flags>)] [<date>] {<octets>}", Arity: ArgRequired, RFC: "RFC 9051 §6.3.12",
		Args:   []ArgKind{ArgMailbox, ArgFlags},
		Help:   "add a message to a mailbox, sent as a literal (:append sends a file)",
		States: imapAuthed},
	{Name: "IDLE", Arity: ArgNone, RFC: "RFC 2177", Ext: "IDLE",
		Help:   "wait for updates as they happen; DONE ends it",
		States: imapAuthed, OnCont: IMAPIdle},
	{Name: "CLOSE", Arity: ArgNone, RFC: "RFC 9051 §6.4.1",
		Help:   "leave the mailbox, expunging messages marked \\Deleted",
		States: states(IMAPSelected), OnOK: IMAPAuth, Effect: learnUnselect},
	{Name: "UNSELECT", Arity: ArgNone, RFC: "RFC 9051 §6.4.2", Ext: "UNSELECT",
		Help:   "leave the mailbox without expunging",
		States: states(IMAPSelected), OnOK: IMAPAuth, Effect: learnUnselect},
	{Name: "EXPUNGE", Arity: ArgNone, RFC: "RFC 9051 §6.4.3",
		Help:   "remove the messages marked \\Deleted",
		States: states(IMAPSelected)},
	{Name: "SEARCH", Syntax: "<key>…", Arity: ArgRequired, RFC: "RFC 9051 §6.4.4",
		Args:   []ArgKind{ArgSearchKey},
		Help:   "find messages: SEARCH UNSEEN, SEARCH FROM alice, …",
		States: states(IMAPSelected)},
	{Name: "FETCH", Syntax: "<sequence> <items>", Arity: ArgRequired, RFC: "RFC 9051 §6.4.5",
		Args:   []ArgKind{ArgSequence, ArgFetchItem},
		Help:   "read messages: FETCH 1 BODY[], FETCH 1:* (FLAGS RFC822.SIZE)",
		States: states(IMAPSelected)},
	{Name: "STORE", Syntax: "<sequence> [+|-]FLAGS[.SILENT] (<flags>)", Arity: ArgRequired, RFC: "RFC 9051 §6.4.6",
		Args:   []ArgKind{ArgSequence, ArgStoreOp, ArgFlags},
		Help:   "change flags: STORE 1 +FLAGS (\\Seen)",
		States: states(IMAPSelected)},
	{Name: "COPY", Syntax: "<sequence> <mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.4.7",
		Args:   []ArgKind{ArgSequence, ArgMailbox},
		Help:   "copy messages to another mailbox",
		States: states(IMAPSelected)},
	{Name: "MOVE", Syntax: "<sequence> <mailbox>", Arity: ArgRequired, RFC: "RFC 9051 §6.4.8", Ext: "MOVE",
		Args:   []ArgKind{ArgSequence, ArgMailbox},
		Help:   "move messages to another mailbox",
		States: states(IMAPSelected)},
	{Name: "UID", Syntax: "FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE …", Arity: ArgRequired, RFC: "RFC 9051 §6.4.9",
		Args:   []ArgKind{ArgSubcommand},
		Help:   "the same commands with UIDs in place of message numbers",
		States: states(IMAPSelected)},
	{Name: "CHECK", Arity: ArgNone, RFC: "RFC 3501 §6.4.1",
		Help:   "ask for a checkpoint of the mailbox (IMAP4rev1)",
		States: states(IMAPSelected)},
}

// imapUIDCommands are the commands UID may prefix (RFC 9051 §6.4.9), with
// UIDs in place of message numbers.
var imapUIDCommands = []string{"FETCH", "STORE", "COPY", "MOVE", "SEARCH", "EXPUNGE"}

var (
	imapAny    = states(IMAPNotAuth, IMAPAuth, IMAPSelected)
	imapAuthed = states(IMAPAuth, IMAPSelected)

	// imapGreetingCmd stands for the greeting: "* OK" leads to the Not
	// Authenticated state, "* PREAUTH" to Authenticated, "* BYE" closes
	// (RFC 9051 §7.1.1, §7.1.4, §7.1.5).
	imapGreetingCmd = &Command{Name: "(greeting)", RFC: "RFC 9051 §7.1",
		OnOK: IMAPNotAuth, OnFail: StateClosed, Effect: learnIMAPGreeting}
)

// loginEnabled: RFC 9051 §6.2.3, a server that advertises LOGINDISABLED
// refuses LOGIN (typically until STARTTLS).
func loginEnabled(s *Snapshot) bool {
	_, disabled := s.Capa["LOGINDISABLED"]
	return !s.CapaKnown || !disabled
}

func redactAuthenticate(arg string) string {
	if shown := redactAuth(arg); shown != "" {
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
		_, n := imapQuoted(arg)
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
