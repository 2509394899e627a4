package proto

import (
	"fmt"
	"slices"
	"strings"
)

// Registry lists the protocols a program speaks, in the order their
// greetings are tried; the one that is Unframed (raw line mode) takes a
// greeting none of the others knows. The program's registry is one list
// (package protocols); a protocol is added to it with one line.
type Registry []Protocol

// ProtocolOf recognises a protocol from the first line a server sends,
// or returns nil.
func (reg Registry) ProtocolOf(greeting []byte) Protocol {
	for _, sp := range reg {
		if sp.Greets != nil && sp.Greets(greeting) {
			return sp
		}
	}
	return nil
}

// Names names the protocols for which has is true, in upper case, for a
// message: "A", "A or B", "A, B or C".
func (reg Registry) Names(has func(*Spec) bool) string {
	var names []string
	for _, sp := range reg {
		if has(sp.Spec()) {
			names = append(names, strings.ToUpper(sp.String()))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Fallback is the protocol for a greeting none knows: raw line mode.
func (reg Registry) Fallback() Protocol {
	for _, sp := range reg {
		if sp.Unframed {
			return sp
		}
	}
	return nil
}

func (reg Registry) scheme(name string) (Target, bool) {
	for _, sp := range reg {
		if sc, ok := sp.Schemes[name]; ok {
			return Target{Proto: sp, Port: sc.Port, ImplicitTLS: sc.ImplicitTLS, StartTLS: sc.StartTLS}, true
		}
	}
	return Target{}, false
}

// Schemes lists the URL schemes of the registry's protocols, sorted.
func (reg Registry) Schemes() []string {
	var out []string
	for _, sp := range reg {
		for name := range sp.Schemes {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// ExplainCode explains the codes typed by a person: each word as the
// first protocol that knows it ("550", "5.1.1", "-ERR", "IN-USE",
// "TRYCREATE").
func (reg Registry) ExplainCode(s string) (string, error) {
	var out []string
words:
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, "[]")
		for _, sp := range reg {
			if sp.ExplainWord == nil {
				continue
			}
			if e, ok := sp.ExplainWord(f); ok {
				out = append(out, e)
				continue words
			}
		}
		return "", fmt.Errorf("%q is not a reply code (try 550, 5.1.1, -ERR, IN-USE or TRYCREATE)", f)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("give a reply code, such as 550, 5.1.1 or -ERR")
	}
	return strings.Join(out, "\n"), nil
}

// greetings names the protocols whose greetings are known, for the note
// that a greeting is none of them: "SMTP (220), POP3 (+OK) or IMAP (* OK)".
func (reg Registry) greetings() string {
	var names []string
	for _, sp := range reg {
		if sp.Greets != nil && sp.GreetingLooks != "" {
			names = append(names, strings.ToUpper(sp.Name)+" ("+sp.GreetingLooks+")")
		}
	}
	switch len(names) {
	case 0:
		return "a protocol mailsh knows"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
