package smtp

import (
	"errors"
	"testing"

	"github.com/mailsh/mailsh/proto"
)

// A 221 ends the session whatever it answers (RFC 5321 §4.2.2): Postfix
// says "221 2.7.0 Error: I can break rules, too. Goodbye." to a line it
// takes for an attack, and hangs up. The next command must not be sent.
func TestClient221ToACommandCloses(t *testing.T) {
	c, _, _ := newPipeClient(t, Protocol, `
S: 220 x
C: EHLO me
S: 250 x
C: Subject: hello
S: 221 2.7.0 Error: I can break rules, too. Goodbye.
S! close
`)
	c.Greeting()
	c.Command("EHLO me")
	_, rep, err := c.Command("Subject: hello")
	if err != nil || rep == nil || rep.Code != 221 {
		t.Fatalf("reply %v, err %v", rep, err)
	}
	snap := c.Machine.Snapshot()
	if snap.State != proto.StateClosed || snap.QuitAccepted || snap.ClosedBy == nil || snap.ClosedBy.Code != 221 {
		t.Fatalf("state %v, quit accepted %v, closed by %v", snap.State, snap.QuitAccepted, snap.ClosedBy)
	}
	if _, _, err := c.Command("NOOP"); !errors.Is(err, proto.ErrClosed) {
		t.Fatalf("NOOP after the 221: err = %v, want proto.ErrClosed", err)
	}
}

// QUIT's 221 is the normal end, not the server's doing.
func TestClient221ToQuit(t *testing.T) {
	c, _, _ := newPipeClient(t, Protocol, `
S: 220 x
C: QUIT
S: 221 2.0.0 Bye
S! close
`)
	c.Greeting()
	c.Command("QUIT")
	if snap := c.Machine.Snapshot(); snap.State != proto.StateClosed || !snap.QuitAccepted || snap.ClosedBy != nil {
		t.Fatalf("state %v, quit accepted %v, closed by %v", snap.State, snap.QuitAccepted, snap.ClosedBy)
	}
}
