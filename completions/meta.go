package completions

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// metaArgs completes the arguments of ":" commands.
func metaArgs(ctx Context, words []string, word string) []Candidate {
	name := strings.TrimPrefix(strings.ToLower(words[0]), ":")
	var m *Meta
	for i := range ctx.Meta {
		if ctx.Meta[i].Name == name {
			m = &ctx.Meta[i]
		}
	}
	if m == nil {
		return nil
	}
	if len(words) == 1 && len(m.Subs) > 0 {
		out := make([]Candidate, 0, len(m.Subs))
		for _, sub := range m.Subs {
			out = append(out, Candidate{Text: sub})
		}
		return out
	}
	switch m.ArgKind {
	case "file":
		if len(words) == 1 || (len(words) == 2 && words[1] == "-f") {
			return files(ctx, word)
		}
	case "mech":
		if len(words) == 1 {
			return authMechs(ctx.Snap)
		}
	case "mailbox-file":
		// :append MAILBOX FILE [FLAG…]
		switch {
		case len(words) == 1 && ctx.Snap != nil:
			var out []Candidate
			for _, m := range ctx.Snap.Mailboxes {
				out = append(out, Candidate{Text: quote(ctx.Snap, m)})
			}
			return out
		case len(words) == 2:
			return files(ctx, word)
		case ctx.Snap != nil:
			var out []Candidate
			for _, w := range argWords(ctx.Snap, proto.ArgFlags) {
				out = append(out, Candidate{Text: w.Text, Hint: w.Help})
			}
			return out
		}
	case "meta":
		if len(words) == 1 {
			var out []Candidate
			for _, mm := range ctx.Meta {
				out = append(out, Candidate{Text: ":" + mm.Name, Hint: mm.Help})
			}
			if ctx.Snap != nil {
				for _, c := range proto.TableFor(ctx.Snap.Proto) {
					out = append(out, Candidate{Text: c.Name, Hint: c.Help})
				}
			}
			return out
		}
	case "target":
		if len(words) == 1 {
			var out []Candidate
			for _, t := range ctx.Targets {
				out = append(out, Candidate{Text: t})
			}
			schemes := ctx.Schemes
			if schemes == nil {
				schemes = protocols.All.Schemes()
			}
			for _, s := range schemes {
				out = append(out, Candidate{Text: s + "://", Final: true})
			}
			return out
		}
	case "transcript":
		if len(words) == 2 && strings.EqualFold(words[1], "start") {
			return files(ctx, word)
		}
	}
	return nil
}

// authMechs offers what :auth can do: the protocol's own logins (POP3's
// USER and APOP, IMAP's LOGIN) and the mechanisms the server advertised.
func authMechs(s *proto.Snapshot) []Candidate {
	if s == nil {
		return nil
	}
	var out []Candidate
	for _, w := range s.LoginMethods() {
		h := w.Help
		if h == "" {
			h = mechHint[w.Text]
		}
		out = append(out, Candidate{Text: w.Text, Hint: h})
	}
	return out
}

func files(ctx Context, word string) []Candidate {
	if ctx.Files == nil {
		return nil
	}
	var out []Candidate
	for _, f := range ctx.Files(word) {
		out = append(out, Candidate{Text: f, Final: strings.HasSuffix(f, "/")})
	}
	return out
}
