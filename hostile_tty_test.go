package main

import (
	"strconv"
	"strings"
	"testing"
)

// At a terminal, where server lines are coloured, a POP3 server's status
// lines and the lines of a message it sends with RETR are shown with
// hostileText escaped, never raw.
func TestHostilePOP3AtTerminal(t *testing.T) {
	t.Parallel()
	addr, received := dialogServer(t, "+OK "+hostileText+" ready\r\n",
		"+OK\r\n",
		"+OK logged in\r\n",
		"+OK 3 lines "+hostileText+"\r\n"+
			"Subject: "+hostileText+"\r\n"+
			"\r\n"+
			"body "+hostileText+"\r\n"+
			"..dotted "+hostileText+"\r\n"+
			".\r\n",
		"-ERR [SYS/PERM] "+hostileText+"\r\n",
		"+OK bye "+hostileText+"\r\n")
	tt := startTTY(t, isolatedHome(t), "pop3://"+addr)
	tt.waitPrompt("auth>")
	tt.command("USER demo", "+OK", "pass>")
	tt.command("PASS pw", "+OK logged in", "trans>")
	tt.command("RETR 1", "end of the reply", "trans>")
	tt.command("NOOP", "-ERR", "trans>")
	tt.send("QUIT\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if got := received(); len(got) != 5 || got[2] != "RETR 1" {
		t.Fatalf("the server received %q", got)
	}
	// The greeting, RETR's status line, its Subject, body and dotted
	// lines, the -ERR and QUIT's reply.
	checkEscaped(t, "the POP3 session", tt.rawString(), 7)
	if !strings.Contains(tt.screen(), `.dotted \x1b]0;pwned`) {
		t.Errorf("the dot-stuffed line is not shown as stored:\n%s", tt.screen())
	}
}

// At a terminal, an IMAP server's status lines and the lines of a
// literal (FETCH BODY[]) are shown with hostileText escaped, never raw.
func TestHostileIMAPAtTerminal(t *testing.T) {
	t.Parallel()
	lit := "Subject: " + hostileText + "\r\n\r\nbody " + hostileText + "\r\n"
	addr, received := dialogServer(t, "* OK [CAPABILITY IMAP4rev1] "+hostileText+"\r\n",
		"a1 OK "+hostileText+"\r\n",
		"a2 NO ["+hostileCode+"] "+hostileText+"\r\n",
		"* 1 EXISTS\r\na3 OK [READ-WRITE] "+hostileText+"\r\n",
		"* 1 FETCH (BODY[] {"+strconv.Itoa(len(lit))+"}\r\n"+lit+")\r\na4 OK "+hostileText+"\r\n",
		"* BYE "+hostileText+"\r\na5 OK bye\r\n")
	tt := startTTY(t, isolatedHome(t), "imap://"+addr)
	tt.waitPrompt("login a1>")
	tt.command("LOGIN demo pw", "a1 OK", "auth a2>")
	// A failure: the explanation under it names the response code.
	tt.send("SELECT Nope\r")
	tt.waitPrompt("auth a3>")
	tt.command("SELECT INBOX", "a3 OK", "selected INBOX a4>")
	tt.command("FETCH 1 BODY[]", "a4 OK", "selected INBOX a5>")
	tt.send("LOGOUT\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if got := received(); len(got) != 5 || got[3] != "a4 FETCH 1 BODY[]" {
		t.Fatalf("the server received %q", got)
	}
	// The greeting, four tagged replies, the literal's Subject and body
	// lines, the BYE.
	raw := tt.rawString()
	checkEscaped(t, "the IMAP session", raw, 8)
	if !strings.Contains(raw, "NO ["+hostileCodeShown+"]: ") {
		t.Errorf("the explanation does not name the response code escaped:\n%q", raw)
	}
}
