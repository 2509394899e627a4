package imap

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// The flags kept: Maildir's standard info letters (qmail's Maildir
// specification, "Info semantics"), as Dovecot maps them. Other letters
// found in a name (P for Passed, a-z for another program's keywords) are
// kept as they are but not shown; keywords set by a client are not kept,
// so PERMANENTFLAGS lists these five and no \* (RFC 9051 §7.1).
var flagLetters = []struct {
	flag   imap.Flag
	letter byte
}{
	{imap.FlagDraft, 'D'},
	{imap.FlagFlagged, 'F'},
	{imap.FlagAnswered, 'R'},
	{imap.FlagSeen, 'S'},
	{imap.FlagDeleted, 'T'},
}

// systemFlags are the flags of FLAGS and PERMANENTFLAGS.
var systemFlags = []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

// letterOf returns a flag's info letter, 0 for a flag that is not kept.
func letterOf(f imap.Flag) byte {
	for _, fl := range flagLetters {
		if strings.EqualFold(string(fl.flag), string(f)) {
			return fl.letter
		}
	}
	return 0
}

// flagBits returns the flags an info string holds as bits, bit i for
// flagLetters[i]: flagLists[flagBits(info)] lists them.
func flagBits(info string) uint8 {
	var bits uint8
	for i, fl := range flagLetters {
		if strings.IndexByte(info, fl.letter) >= 0 {
			bits |= 1 << i
		}
	}
	return bits
}

// flagLists are the lists of flags of each set of flagLetters, by the
// set's bits (flagBits): one list shared by all the messages with those
// flags, which its users only read.
var flagLists = func() [][]imap.Flag {
	lists := make([][]imap.Flag, 1<<len(flagLetters))
	for set := range lists {
		flags := []imap.Flag{}
		for i, fl := range flagLetters {
			if set&(1<<i) != 0 {
				flags = append(flags, fl.flag)
			}
		}
		lists[set] = slices.Clip(flags)
	}
	return lists
}()

// infoOf returns the info letters of a list of flags, in ASCII order as
// the Maildir specification asks.
func infoOf(flags []imap.Flag) string {
	return applyFlags("", &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: flags})
}

// applyFlags applies STORE's change to an info string, keeping letters
// that are not one of the five flags.
func applyFlags(info string, st *imap.StoreFlags) string {
	set := map[byte]bool{}
	for i := 0; i < len(info); i++ {
		set[info[i]] = true
	}
	if st.Op == imap.StoreFlagsSet {
		for _, fl := range flagLetters {
			delete(set, fl.letter)
		}
	}
	for _, f := range st.Flags {
		if l := letterOf(f); l != 0 {
			set[l] = st.Op != imap.StoreFlagsDel
		}
	}
	var letters []byte
	for l, on := range set {
		if on {
			letters = append(letters, l)
		}
	}
	slices.Sort(letters)
	return string(letters)
}
