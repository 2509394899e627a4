package smtp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/prototest"
)

// feed drives a machine through a script of "C: " and "S: " lines, as if
// they crossed the wire, and returns the state after each client line's
// reply, as "line -> state".
func feed(t *testing.T, p proto.Protocol, script string) []string {
	t.Helper()
	m := proto.NewMachine(p)
	var out []string
	var rep *proto.Reply
	last := "(greeting)"
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimRight(l, "\r")
		dir, text, _ := strings.Cut(l, ": ")
		switch dir {
		case "C":
			m.Sent(text)
			last = text
		case "S":
			if rep == nil {
				rep = &proto.Reply{Proto: Protocol}
			}
			more, err := addLine(rep, []byte(text))
			if err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			if more {
				continue
			}
			m.Received(rep)
			rep = nil
			out = append(out, fmt.Sprintf("%s -> %s", last, m.State()))
		}
	}
	return out
}

func expect(t *testing.T, got []string, want string) {
	t.Helper()
	prototest.Transitions(t, got, want)
}

// The lecture's SMTP session with Sendmail, typed in lower case.
const lectureSMTP = `
S: 220 mail.ipleiria.pt ESMTP Sendmail 8.12.5/8.12.5; Wed, 13 Nov 2002 02:20:01 GMT
C: helo mail
S: 250 mail.ipleiria.pt Hello localhost.localdomain [127.0.0.1], pleased to meet you
C: mail from: antunes@ipleiria.pt
S: 250 2.1.0 antunes@ipleiria.pt... Sender ok
C: rcpt to: antunes@ipleiria.pt
S: 250 2.1.5 antunes@ipleiria.pt... Recipient ok
C: data
S: 354 Enter mail, end with "." on a line by itself
C: Teste do mail
C: .
S: 250 2.0.0 gAD2K1Rv016861 Message accepted for delivery
C: quit
S: 221 2.0.0 mail.ipleiria.pt closing connection
`

func TestMachineLectureSMTP(t *testing.T) {
	expect(t, feed(t, Protocol, lectureSMTP), `
		(greeting) -> helo
		helo mail -> mail
		mail from: antunes@ipleiria.pt -> rcpt
		rcpt to: antunes@ipleiria.pt -> rcpt/data
		data -> data
		. -> mail
		quit -> closed`)
}

func TestMachineSMTPLearning(t *testing.T) {
	m := proto.NewMachine(Protocol)
	recv := func(text string) {
		rep := &proto.Reply{Proto: Protocol}
		for _, l := range strings.Split(text, "\n") {
			if _, err := addLine(rep, []byte(l)); err != nil {
				t.Fatal(err)
			}
		}
		m.Received(rep)
	}
	recv("220 localhost ESMTP")
	if s := m.Snapshot(); s.Has("STARTTLS") || len(s.Commands()) == 0 {
		t.Fatalf("before EHLO: %+v", s)
	}
	m.Sent("EHLO me")
	recv("250-localhost\n250-SIZE 10240000\n250-AUTH=LOGIN\n250-AUTH PLAIN LOGIN CRAM-MD5\n250-STARTTLS\n250 CHUNKING")
	s := m.Snapshot()
	if !s.Has("starttls") || !s.Has("CHUNKING") || s.Caps["SIZE"] != "10240000" {
		t.Fatalf("extensions: %v", s.Caps)
	}
	if got := strings.Join(s.AuthMechanisms(), " "); got != "LOGIN PLAIN CRAM-MD5" {
		t.Errorf("mechanisms: %s", got)
	}
	m.Sent("STARTTLS")
	recv("220 2.0.0 go ahead")
	m.StartedTLS()
	s = m.Snapshot()
	if s.State != Connected || s.Has("STARTTLS") || !s.TLS {
		t.Fatalf("after TLS: state %v ext %v tls %v", s.State, s.Caps, s.TLS)
	}
	m.Sent("EHLO me")
	recv("250-localhost\n250 AUTH PLAIN")
	m.Sent("AUTH PLAIN AHRpbQB0YW5zdGFhZg==")
	recv("235 2.7.0 ok")
	if s := m.Snapshot(); !s.Authenticated || s.Offers(Commands.Lookup("AUTH")) {
		t.Errorf("after AUTH: authed %v", s.Authenticated)
	}
	m.Sent("MAIL FROM:<a@example.com> SIZE=10")
	recv("250 ok")
	m.Sent("RCPT TO:<b@example.com>")
	recv("550 5.1.1 no")
	if m.State() != Mail {
		t.Errorf("after refused RCPT: %v", m.State())
	}
	m.Sent("RSET")
	recv("250 ok")
	if s := m.Snapshot(); s.State != Ready || strings.Join(s.Used, ",") != "a@example.com" {
		t.Errorf("after RSET: %v %v", s.State, s.Used)
	}
	// 421 at any time closes the session (RFC 5321 §3.8).
	recv("421 4.4.2 idle timeout")
	if m.State() != proto.StateClosed {
		t.Errorf("after 421: %v", m.State())
	}
}
