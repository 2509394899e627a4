package protocols

import (
	"testing"

	"github.com/mailsh/mailsh/proto"
)

// TestNames: messages that name the protocols able to do something
// (":show N retrieves message N in a POP3 or IMAP session") take the
// names from the registry.
func TestNames(t *testing.T) {
	for _, tc := range []struct {
		has  func(*proto.Spec) bool
		want string
	}{
		{func(sp *proto.Spec) bool { return sp.Retrieve != nil }, "POP3 or IMAP"},
		{func(sp *proto.Spec) bool { return sp.Mail != nil }, "SMTP"},
		{func(sp *proto.Spec) bool { return sp.Login != nil }, "SMTP, POP3 or IMAP"},
		{func(*proto.Spec) bool { return false }, ""},
	} {
		if got := All.Names(tc.has); got != tc.want {
			t.Errorf("Names = %q, want %q", got, tc.want)
		}
	}
}
