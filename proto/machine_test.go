package proto

import (
	"fmt"
	"strings"
	"testing"
)

// feed drives a machine through a script of "C: " and "S: " lines, as if
// they crossed the wire, and returns the state after each client line's
// reply, as "line -> state".
func feed(t *testing.T, p Protocol, script string) []string {
	t.Helper()
	m := NewMachine(p)
	var out []string
	var smtpRep *Reply
	inBody := false
	last := "(greeting)"
	for _, l := range strings.Split(strings.TrimSpace(script), "\n") {
		l = strings.TrimRight(l, "\r")
		dir, text, _ := strings.Cut(l, ": ")
		switch dir {
		case "C":
			m.Sent(text)
			last = text
			if m.State() == SMTPData && text != "." {
				continue
			}
		case "S":
			if inBody {
				if text == "." {
					m.BodyDone()
					inBody = false
					out = append(out, fmt.Sprintf("%s -> %s", last, m.State()))
				} else {
					m.BodyLine([]byte(strings.TrimPrefix(text, ".")))
				}
				continue
			}
			if p == POP3 {
				rep, err := ParsePOP3Status([]byte(text))
				if err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				if m.Received(rep) {
					inBody = true
					continue
				}
			} else {
				if smtpRep == nil {
					smtpRep = &Reply{Proto: SMTP}
				}
				more, err := smtpRep.addSMTPLine([]byte(text))
				if err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				if more {
					continue
				}
				m.Received(smtpRep)
				smtpRep = nil
			}
			out = append(out, fmt.Sprintf("%s -> %s", last, m.State()))
		}
	}
	return out
}

func expect(t *testing.T, got []string, want string) {
	t.Helper()
	w := strings.Split(strings.TrimSpace(want), "\n")
	for i := range w {
		w[i] = strings.TrimSpace(w[i])
	}
	if strings.Join(got, "\n") != strings.Join(w, "\n") {
		t.Errorf("transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
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
	expect(t, feed(t, SMTP, lectureSMTP), `
		(greeting) -> helo
		helo mail -> mail
		mail from: antunes@ipleiria.pt -> rcpt
		rcpt to: antunes@ipleiria.pt -> rcpt/data
		data -> data
		. -> mail
		quit -> closed`)
}

// The lecture's POP3 session (login, STAT, LIST, RETR).
const lecturePOP3 = `
S: +OK POP3 localhost.localdomain v2001.78rh server ready
C: USER vmc
S: +OK User name accepted, password please
C: PASS secret
S: +OK Mailbox open, 24 messages
C: STAT
S: +OK 24 512235
C: LIST 22
S: +OK 22 397
C: RETR 22
S: +OK 397 octets
S: Return-Path: <batatas@quintal.net>
S: Date: Thu, 12 Dec 2002 20:13:17 GMT
S: From: batatas@quintal.net
S:
S: Ola,
S:
S: mensagem de teste
S: .
C: QUIT
S: +OK Sayonara
`

func TestMachineLecturePOP3(t *testing.T) {
	expect(t, feed(t, POP3, lecturePOP3), `
		(greeting) -> auth
		USER vmc -> pass
		PASS secret -> trans
		STAT -> trans
		LIST 22 -> trans
		RETR 22 -> trans
		QUIT -> closed`)
}

func TestMachineSMTPLearning(t *testing.T) {
	m := NewMachine(SMTP)
	recv := func(text string) {
		rep := &Reply{Proto: SMTP}
		for _, l := range strings.Split(text, "\n") {
			if _, err := rep.addSMTPLine([]byte(l)); err != nil {
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
	if !s.Has("starttls") || !s.Has("CHUNKING") || s.Ext["SIZE"] != "10240000" {
		t.Fatalf("extensions: %v", s.Ext)
	}
	if got := strings.Join(s.AuthMechanisms(), " "); got != "LOGIN PLAIN CRAM-MD5" {
		t.Errorf("mechanisms: %s", got)
	}
	m.Sent("STARTTLS")
	recv("220 2.0.0 go ahead")
	m.StartedTLS()
	s = m.Snapshot()
	if s.State != SMTPConnected || s.Has("STARTTLS") || !s.TLS {
		t.Fatalf("after TLS: state %v ext %v tls %v", s.State, s.Ext, s.TLS)
	}
	m.Sent("EHLO me")
	recv("250-localhost\n250 AUTH PLAIN")
	m.Sent("AUTH PLAIN AHRpbQB0YW5zdGFhZg==")
	recv("235 2.7.0 ok")
	if s := m.Snapshot(); !s.Authenticated || s.Offers(SMTPCommands.Lookup("AUTH")) {
		t.Errorf("after AUTH: authed %v", s.Authenticated)
	}
	m.Sent("MAIL FROM:<a@example.com> SIZE=10")
	recv("250 ok")
	m.Sent("RCPT TO:<b@example.com>")
	recv("550 5.1.1 no")
	if m.State() != SMTPMail {
		t.Errorf("after refused RCPT: %v", m.State())
	}
	m.Sent("RSET")
	recv("250 ok")
	if s := m.Snapshot(); s.State != SMTPReady || strings.Join(s.Used, ",") != "a@example.com" {
		t.Errorf("after RSET: %v %v", s.State, s.Used)
	}
	// 421 at any time closes the session (RFC 5321 §3.8).
	recv("421 4.4.2 idle timeout")
	if m.State() != StateClosed {
		t.Errorf("after 421: %v", m.State())
	}
}

func TestMachineSecrets(t *testing.T) {
	m := NewMachine(POP3)
	m.Received(&Reply{Proto: POP3, Status: "+OK", Text: []string{"ready <1.2@host>"}})
	for _, tt := range []struct{ line, shown string }{
		{"APOP vmc c4c9334bac560ecc979e58001b3e22fb", "APOP vmc [redacted]"},
		{"AUTH PLAIN AHZtYwBzZWNyZXQ=", "AUTH PLAIN [redacted user=vmc]"},
		{"AUTH LOGIN dm1j", "AUTH LOGIN [redacted]"},
		{"AUTH LOGIN", "AUTH LOGIN"},
		{"USER vmc", "USER vmc"},
	} {
		if c := m.Classify(tt.line); c.Shown != tt.shown || c.Secret != (tt.shown != tt.line) {
			t.Errorf("%q: shown %q secret %v", tt.line, c.Shown, c.Secret)
		}
	}
	m.Sent("USER vmc")
	m.Received(&Reply{Proto: POP3, Status: "+OK"})
	if c := m.Classify("pass tanstaaf"); c.Shown != "PASS [redacted]" || !c.Secret {
		t.Errorf("PASS: %+v", c)
	}
	m.Sent("PASS tanstaaf")
	m.Received(&Reply{Proto: POP3, Status: "-ERR"})
	m.Sent("AUTH LOGIN")
	m.Received(&Reply{Proto: POP3, Status: "+", Text: []string{"VXNlcm5hbWU6"}})
	if c := m.Classify("dmNt"); !c.Secret || c.Shown != "[redacted]" {
		t.Errorf("SASL answer: %+v", c)
	}
	if c := m.Classify("*"); c.Secret {
		t.Errorf("SASL cancel is not secret: %+v", c)
	}
}

func TestMachinePOP3Messages(t *testing.T) {
	m := NewMachine(POP3)
	ok := func(text string) bool { return m.Received(&Reply{Proto: POP3, Status: "+OK", Text: []string{text}}) }
	ok("ready")
	m.Sent("USER a")
	ok("")
	m.Sent("PASS b")
	ok("maildrop has 3 messages (900 octets)")
	if got := m.Snapshot().Messages; len(got) != 3 || got[0].Size != -1 {
		t.Fatalf("after login: %+v", got)
	}
	m.Sent("LIST")
	if !ok("3 messages") {
		t.Fatal("LIST without argument is multi-line")
	}
	for _, l := range []string{"1 100", "2 300", "3 500"} {
		m.BodyLine([]byte(l))
	}
	m.BodyDone()
	m.Sent("DELE 2")
	ok("message 2 deleted")
	got := m.Snapshot().Messages
	if len(got) != 2 || got[0] != (MessageInfo{Num: 1, Size: 100}) || got[1].Num != 3 || got[1].Size != 500 {
		t.Fatalf("after DELE 2: %+v", got)
	}
	m.Sent("RSET")
	ok("")
	if got := m.Snapshot().Messages; len(got) != 3 {
		t.Fatalf("after RSET: %+v", got)
	}
	m.Sent("CAPA")
	if !ok("") {
		t.Fatal("CAPA is multi-line")
	}
	m.BodyLine([]byte("TOP"))
	m.BodyLine([]byte("SASL PLAIN"))
	m.BodyDone()
	s := m.Snapshot()
	if s.Has("UIDL") || !s.Has("TOP") {
		t.Errorf("capabilities: %v", s.Capa)
	}
	var names []string
	for _, c := range s.Commands() {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "CAPA STAT LIST RETR TOP DELE NOOP RSET QUIT" {
		t.Errorf("transaction commands: %s", got)
	}
}
