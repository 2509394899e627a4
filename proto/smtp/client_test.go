package smtp

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"

	"github.com/mailsh/mailsh/proto/prototest"
)

// serve plays the server's side of script over conn (see prototest.Serve).
func serve(conn net.Conn, script string) <-chan error { return prototest.Serve(conn, script) }

// newPipeClient starts a client against a scripted server
// (prototest.PipeClient); p nil takes the protocol from the greeting.
func newPipeClient(t *testing.T, p proto.Protocol, script string) (*proto.Client, *prototest.Recorder, <-chan error) {
	t.Helper()
	return prototest.PipeClient(t, p, proto.Registry{Protocol}, script)
}

func run(t *testing.T, c *proto.Client, cmds ...string) {
	t.Helper()
	prototest.Run(t, c, cmds...)
}

// TestClientLectureSMTP replays the lecture's Sendmail session, in lower
// case as typed there, and compares the events with the wire.
func TestClientLectureSMTP(t *testing.T) {
	c, rec, errc := newPipeClient(t, nil, lectureSMTP)
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	if c.Machine.Protocol() != Protocol {
		t.Fatalf("protocol from greeting: %v", c.Machine.Protocol())
	}
	run(t, c, "helo mail", "mail from: antunes@ipleiria.pt", "rcpt to: antunes@ipleiria.pt", "data", "Teste do mail", ".", "quit")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	want := strings.TrimPrefix(lectureSMTP, "\n") + "*: connection closed\n"
	if got := rec.String(); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if c.Machine.State() != proto.StateClosed {
		t.Errorf("state %v", c.Machine.State())
	}
}

func TestClientDataStuffing(t *testing.T) {
	c, rec, errc := newPipeClient(t, Protocol, `
S: 220 x
C: EHLO me
S: 250 x
C: MAIL FROM:<a@x>
S: 250 ok
C: RCPT TO:<b@x>
S: 250 ok
C: DATA
S: 354 go
C: ..hidden
C: visible
C: .
S: 250 queued
C: DATA
S: 503 no
`)
	c.Greeting()
	run(t, c, "EHLO me", "MAIL FROM:<a@x>", "RCPT TO:<b@x>", "DATA", ".hidden", "visible", ".")
	if c.Machine.State() != Ready {
		t.Fatalf("state after message: %v", c.Machine.State())
	}
	// DATA out of sequence is still sent: the server has the last word.
	_, rep, err := c.Command("DATA")
	if err != nil || rep.Code != 503 {
		t.Fatalf("DATA: %v %v", rep, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.String(), "C: ..hidden\n") {
		t.Errorf("transcript does not show the wire form:\n%s", rec)
	}
}

func TestClientSendMessageStreams(t *testing.T) {
	c, _, errc := newPipeClient(t, Protocol, `
S: 220 x
C: HELO me
S: 250 x
C: MAIL FROM:<>
S: 250 ok
C: RCPT TO:<b@x>
S: 250 ok
C: DATA
S: 354 go
C: Subject: t
C: 
C: ..line one
C: line two
C: .
S: 250 2.0.0 queued
`)
	c.Greeting()
	run(t, c, "HELO me", "MAIL FROM:<>", "RCPT TO:<b@x>", "DATA")
	rep, _, err := c.SendMessage(strings.NewReader("Subject: t\n\n.line one\nline two"))
	if err != nil || rep.Code != 250 || rep.Enhanced.String() != "2.0.0" {
		t.Fatalf("SendMessage: %v %v", rep, err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestClientRejectsInjection(t *testing.T) {
	c, _, _ := newPipeClient(t, Protocol, `
S: 220 x
C: CRLF
`)
	c.Greeting()
	if _, _, err := c.Command("NOOP\r\nRSET"); !errors.Is(err, proto.ErrBadCommand) {
		t.Fatalf("CR LF in a command: %v", err)
	}
}

func TestClientSTARTTLSInjection(t *testing.T) {
	c, _, _ := newPipeClient(t, Protocol, `
S: 220 x
C: EHLO me
S: 250-x
S: 250 STARTTLS
C: STARTTLS
S: 220 go ahead
S: 250 injected
`)
	c.Greeting()
	run(t, c, "EHLO me")
	// The two lines may arrive together or not; when together the client
	// must refuse, when apart the handshake fails on the plain text. Either
	// way it must not go on as if TLS were up.
	_, _, err := c.Command("STARTTLS")
	if err == nil {
		t.Fatal("STARTTLS with injected data succeeded")
	}
	if c.TLS() != nil {
		t.Fatal("TLS state set")
	}
}

func TestClientTimeout(t *testing.T) {
	c, _, _ := newPipeClient(t, Protocol, `
S: 220 x
C: NOOP
S! 3s
`)
	c.Timeout = 100 * time.Millisecond
	c.Greeting()
	start := time.Now()
	_, _, err := c.Command("NOOP")
	if !errors.Is(err, proto.ErrTimeout) {
		t.Fatalf("err = %v, want proto.ErrTimeout", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("timeout not honoured")
	}
	if _, _, err := c.Command("NOOP"); !errors.Is(err, proto.ErrBotched) {
		t.Fatalf("command after timeout: %v", err)
	}
}

func TestClientServerDropsMidReply(t *testing.T) {
	c, rec, _ := newPipeClient(t, Protocol, `
S: 220 x
C: EHLO me
S: 250-x
S! close
`)
	c.Greeting()
	_, _, err := c.Command("EHLO me")
	if !errors.Is(err, proto.ErrClosed) {
		t.Fatalf("err = %v, want proto.ErrClosed", err)
	}
	if !strings.Contains(rec.String(), "*: connection closed by server") {
		t.Errorf("no note of the close:\n%s", rec)
	}
}

func TestClientUnsolicited421(t *testing.T) {
	c, rec, _ := newPipeClient(t, Protocol, `
S: 220 x
S! 50ms
S: 421 4.4.2 idle too long
S! close
`)
	c.Greeting()
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("client did not see the close")
	}
	if c.Machine.State() != proto.StateClosed || !strings.Contains(rec.String(), "S: 421 4.4.2 idle too long") {
		t.Fatalf("state %v, events:\n%s", c.Machine.State(), rec)
	}
	if _, _, err := c.Command("NOOP"); err == nil {
		t.Fatal("command on a closed session")
	}
}
