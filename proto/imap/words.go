package imap

import "github.com/mailsh/mailsh/proto"

// fetchItems are FETCH's data items and macros (RFC 9051 §6.4.5).
var fetchItems = []proto.Word{
	{Text: "FLAGS", Help: "the message's flags"},
	{Text: "UID", Help: "the message's unique id"},
	{Text: "RFC822.SIZE", Help: "the size in octets"},
	{Text: "INTERNALDATE", Help: "when the server received it"},
	{Text: "ENVELOPE", Help: "date, subject, from, to, … parsed"},
	{Text: "BODYSTRUCTURE", Help: "the MIME structure"},
	{Text: "BODY[]", Help: "the whole message (sets \\Seen)"},
	{Text: "BODY.PEEK[]", Help: "the whole message, leaving \\Seen alone"},
	{Text: "BODY[HEADER]", Help: "the header (sets \\Seen)"},
	{Text: "BODY.PEEK[HEADER]", Help: "the header, leaving \\Seen alone"},
	{Text: "BODY[HEADER.FIELDS (FROM SUBJECT DATE)]", Help: "some header fields"},
	{Text: "BODY[TEXT]", Help: "the body without the header"},
	{Text: "BODY[1]", Help: "the first MIME part"},
	{Text: "RFC822", Help: "the whole message, as BODY[] (IMAP4rev1)"},
	{Text: "RFC822.HEADER", Help: "the header, as BODY.PEEK[HEADER] (IMAP4rev1)"},
	{Text: "BINARY[]", Help: "the message with its parts decoded (RFC 3516)", Ext: "BINARY"},
	{Text: "MODSEQ", Help: "the modification sequence (RFC 7162)", Ext: "CONDSTORE"},
	{Text: "ALL", Help: "macro: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE"},
	{Text: "FAST", Help: "macro: FLAGS INTERNALDATE RFC822.SIZE"},
	{Text: "FULL", Help: "macro: ALL and BODY"},
}

// storeOps are STORE's ways of changing flags (RFC 9051 §6.4.6).
var storeOps = []proto.Word{
	{Text: "+FLAGS", Help: "add these flags"},
	{Text: "-FLAGS", Help: "remove these flags"},
	{Text: "FLAGS", Help: "replace the flags with these"},
	{Text: "+FLAGS.SILENT", Help: "add, without the FETCH in reply"},
	{Text: "-FLAGS.SILENT", Help: "remove, without the FETCH in reply"},
	{Text: "FLAGS.SILENT", Help: "replace, without the FETCH in reply"},
}

// systemFlags are the flags every server knows (RFC 9051 §2.3.2).
var systemFlags = []proto.Word{
	{Text: `\Seen`, Help: "read"},
	{Text: `\Answered`, Help: "replied to"},
	{Text: `\Flagged`, Help: "marked for attention"},
	{Text: `\Deleted`, Help: "to be removed by EXPUNGE or CLOSE"},
	{Text: `\Draft`, Help: "not yet sent"},
}

// searchKeys are SEARCH's keys (RFC 9051 §6.4.4, with RFC 3501's).
var searchKeys = []proto.Word{
	{Text: "ALL", Help: "every message"},
	{Text: "UNSEEN", Help: "not read"}, {Text: "SEEN", Help: "read"},
	{Text: "FLAGGED", Help: "flagged"}, {Text: "UNFLAGGED", Help: "not flagged"},
	{Text: "DELETED", Help: "marked \\Deleted"}, {Text: "UNDELETED", Help: "not marked \\Deleted"},
	{Text: "ANSWERED", Help: "replied to"}, {Text: "UNANSWERED", Help: "not replied to"},
	{Text: "DRAFT", Help: "drafts"}, {Text: "UNDRAFT", Help: "not drafts"},
	{Text: "FROM", Help: "FROM <text>: in the From field"},
	{Text: "TO", Help: "TO <text>: in the To field"},
	{Text: "CC", Help: "CC <text>"}, {Text: "BCC", Help: "BCC <text>"},
	{Text: "SUBJECT", Help: "SUBJECT <text>"},
	{Text: "BODY", Help: "BODY <text>: in the body"},
	{Text: "TEXT", Help: "TEXT <text>: in the header or body"},
	{Text: "HEADER", Help: "HEADER <field> <text>"},
	{Text: "KEYWORD", Help: "KEYWORD <flag>"}, {Text: "UNKEYWORD", Help: "UNKEYWORD <flag>"},
	{Text: "BEFORE", Help: "BEFORE <date>: received before, as 1-Dec-2026"},
	{Text: "ON", Help: "ON <date>"}, {Text: "SINCE", Help: "SINCE <date>"},
	{Text: "SENTBEFORE", Help: "SENTBEFORE <date>: Date: field"},
	{Text: "SENTON", Help: "SENTON <date>"}, {Text: "SENTSINCE", Help: "SENTSINCE <date>"},
	{Text: "LARGER", Help: "LARGER <octets>"}, {Text: "SMALLER", Help: "SMALLER <octets>"},
	{Text: "UID", Help: "UID <set>"},
	{Text: "NOT", Help: "NOT <key>"}, {Text: "OR", Help: "OR <key> <key>"},
	{Text: "NEW", Help: "recent and not read (IMAP4rev1)"},
	{Text: "RECENT", Help: "\\Recent (IMAP4rev1)"},
	{Text: "RETURN", Help: "RETURN (MIN MAX COUNT ALL): ESEARCH's answer", Ext: "ESEARCH"},
}

// statusItems are STATUS's data items (RFC 9051 §6.3.11).
var statusItems = []proto.Word{
	{Text: "MESSAGES", Help: "how many messages"},
	{Text: "UNSEEN", Help: "how many not read"},
	{Text: "UIDNEXT", Help: "the next UID"},
	{Text: "UIDVALIDITY", Help: "the UID validity"},
	{Text: "DELETED", Help: "how many marked \\Deleted (IMAP4rev2)"},
	{Text: "SIZE", Help: "total size in octets (IMAP4rev2)"},
	{Text: "RECENT", Help: "how many \\Recent (IMAP4rev1)"},
}

// enableWords are the capabilities ENABLE may turn on (RFC 5161).
var enableWords = []proto.Word{
	{Text: "CONDSTORE", Help: "modification sequences (RFC 7162)", Ext: "CONDSTORE"},
	{Text: "QRESYNC", Help: "quick resynchronisation (RFC 7162)", Ext: "QRESYNC"},
	{Text: "UTF8=ACCEPT", Help: "UTF-8 mailbox names and headers (RFC 6855)", Ext: "UTF8=ACCEPT"},
	{Text: "IMAP4rev2", Help: "IMAP4rev2's behaviour (RFC 9051)", Ext: "IMAP4rev2"},
}

// listReturn are LIST's RETURN options, each with its extension.
var listReturn = []proto.Word{
	{Text: "RETURN (SPECIAL-USE)", Help: "mark \\Sent, \\Trash, \\Drafts, … (RFC 6154)", Ext: "SPECIAL-USE"},
	{Text: "RETURN (STATUS (MESSAGES UNSEEN))", Help: "each mailbox's counts (RFC 5819)", Ext: "LIST-STATUS"},
	{Text: "RETURN (CHILDREN)", Help: "say which mailboxes have children (RFC 5258)", Ext: "LIST-EXTENDED"},
	{Text: "RETURN (SUBSCRIBED)", Help: "say which are subscribed (RFC 5258)", Ext: "LIST-EXTENDED"},
}

// words returns the keywords an argument of the kind may be, as far as
// the server advertised what they need: FETCH items, STORE operations,
// flags, SEARCH keys, STATUS items, what ENABLE turns on, and the
// commands UID prefixes. Nil for kinds that are not keywords.
func words(kind proto.ArgKind, s *proto.Snapshot) []proto.Word {
	var all []proto.Word
	switch kind {
	case proto.ArgFetchItem:
		all = fetchItems
	case proto.ArgStoreOp:
		all = storeOps
	case proto.ArgFlags:
		all = systemFlags
		for _, f := range s.Flags {
			if !containsWord(all, f) {
				all = append(all, proto.Word{Text: f, Help: "a keyword of this mailbox"})
			}
		}
	case proto.ArgSearchKey:
		all = searchKeys
	case proto.ArgStatusItems:
		all = statusItems
	case proto.ArgCapability:
		all = enableWords
	case proto.ArgListReturn:
		all = listReturn
	case proto.ArgSubcommand:
		for _, name := range uidCommands {
			if c := Commands.Lookup(name); c != nil && s.Offers(c) {
				all = append(all, proto.Word{Text: c.Name, Help: c.Help})
			}
		}
		if s.Has("UIDPLUS") || s.Has("IMAP4rev2") {
			all = append(all, proto.Word{Text: "EXPUNGE", Help: "expunge only these UIDs (RFC 4315)"})
		}
		return all
	default:
		return nil
	}
	out := make([]proto.Word, 0, len(all))
	for _, w := range all {
		if w.Ext == "" || s.Has(w.Ext) {
			out = append(out, w)
		}
	}
	return out
}

func containsWord(ws []proto.Word, text string) bool {
	for _, w := range ws {
		if w.Text == text {
			return true
		}
	}
	return false
}
