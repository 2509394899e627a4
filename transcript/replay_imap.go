package transcript

import (
	"strings"

	"github.com/mailsh/mailsh/proto"
)

// imapCommand replays one recorded IMAP client line. A command goes
// with a fresh tag (the recorded one is dropped), and its reply is
// compared with the recorded completion of the recorded tag, or the
// continuation request; untagged data, which depends on the mailbox's
// contents, is not compared. A line that continues a command (a
// literal's rest, a SASL answer, DONE) goes as recorded.
func (rp *replayer) imapCommand(line string) error {
	c := rp.c
	st := c.Machine.State()
	tag, rest := proto.SplitTag(c.Machine.Protocol(), line)
	if tag == "" || st.InLiteral() || st.InSASL() || st.Idles() {
		want, err := rp.expect()
		if err != nil {
			return err
		}
		_, rep, cerr := c.Command(line)
		rp.result(line, imapWant(want, rp.tag), rep, cerr)
		return nil
	}
	rp.tag = tag
	verb, arg := proto.SplitCommand(rest)
	sp := c.Machine.Protocol().Spec()
	switch up := strings.ToUpper(verb); {
	case sp.Login != nil && up == sp.Login.Plain && strings.Contains(arg, "[redacted"):
		user, _, _ := strings.Cut(arg, " ")
		if strings.HasPrefix(user, `"`) {
			user = strings.Trim(user, `"`)
		}
		pw, err := rp.o.Secret("password")
		if err != nil {
			return err
		}
		want, err := rp.expect()
		if err != nil {
			return err
		}
		rep, cerr := c.Login("plain", user, pw, nil)
		rp.result(line, imapWant(want, tag), rep, cerr)
		return nil
	case up == sp.Auth && arg != "":
		want, err := rp.expect()
		if err != nil {
			return err
		}
		want = imapWant(want, tag)
		if strings.Contains(arg, "[redacted") || len(want) > 0 && rp.intermediate(want[0]) {
			return rp.auth(line, arg, want)
		}
		_, rep, cerr := c.Command(rest)
		rp.result(line, want, rep, cerr)
		return nil
	}
	want, err := rp.expect()
	if err != nil {
		return err
	}
	_, rep, cerr := c.Command(rest)
	rp.result(line, imapWant(want, tag), rep, cerr)
	return nil
}

// imapWant keeps, of the recorded lines after a command, the one that
// answered it: the completion tagged as the command was, or else a
// continuation request. Nil if neither was recorded (a line the server
// answered nothing to).
func imapWant(lines []string, tag string) []string {
	for _, l := range lines {
		if t, _, _ := strings.Cut(l, " "); tag != "" && strings.EqualFold(t, tag) || l == "+" || strings.HasPrefix(l, "+ ") {
			return []string{l}
		}
	}
	return nil
}
