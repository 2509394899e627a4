package transcript

import "strings"

// expectReply reads the recorded reply to a command: for a tagged
// protocol only the line that answered it (see imapWant), as untagged
// data depends on the mailbox's contents.
func (rp *replayer) expectReply() ([]string, error) {
	want, err := rp.expect()
	if err != nil || !rp.c.Machine.Protocol().Spec().Tagged {
		return want, err
	}
	return imapWant(want, rp.tag), nil
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
