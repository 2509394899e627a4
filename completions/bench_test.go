package completions

import (
	"fmt"
	"testing"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
)

// BenchmarkComplete measures one TAB press in the cases a user meets most:
// the first word, an ESMTP parameter, and a message number in a mailbox of
// 10,000 messages. Completion must feel instant: well under a millisecond.
func BenchmarkComplete(b *testing.B) {
	sm := proto.NewMachine(smtp.Protocol)
	sm.Received(&proto.Reply{Proto: smtp.Protocol, Code: 220, Lines: []string{"220 x"}, Text: []string{"x"}})
	sm.Sent("EHLO me")
	sm.Received(&proto.Reply{Proto: smtp.Protocol, Code: 250,
		Text: []string{"x", "SIZE 1000", "8BITMIME", "DSN", "AUTH PLAIN LOGIN", "STARTTLS", "CHUNKING", "SMTPUTF8"}})
	pop := proto.NewMachine(pop3.Protocol)
	pop.Received(&proto.Reply{Proto: pop3.Protocol, Status: "+OK", Text: []string{"ready"}})
	pop.Sent("USER a")
	pop.Received(&proto.Reply{Proto: pop3.Protocol, Status: "+OK"})
	pop.Sent("PASS b")
	pop.Received(&proto.Reply{Proto: pop3.Protocol, Status: "+OK", Text: []string{"10000 messages"}})
	pop.Sent("LIST")
	pop.Received(&proto.Reply{Proto: pop3.Protocol, Status: "+OK"})
	for i := 1; i <= 10000; i++ {
		pop.BodyLine([]byte(fmt.Sprintf("%d %d", i, i*10)))
	}
	pop.BodyDone()
	for _, c := range []struct {
		name string
		m    *proto.Machine
		line string
	}{
		{"first-word", sm, "R"},
		{"mail-params", sm, "MAIL FROM:<a@b> "},
		{"retr-10000", pop, "RETR 99"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				// The snapshot is part of the cost: the shell takes one per TAB.
				Complete(Context{Snap: c.m.Snapshot()}, c.line, len(c.line))
			}
		})
	}
}
