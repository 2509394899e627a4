package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/imap"
)

// imapCaps reads the capabilities of the last CAPABILITY list on screen
// (the greeting's, or the one after LOGIN), as the machine learns them.
func imapCaps(screen string) map[string]string {
	all := regexp.MustCompile(`CAPABILITY ([^\]\n]+)`).FindAllStringSubmatch(screen, -1)
	caps := map[string]string{}
	if len(all) == 0 {
		return caps
	}
	for _, c := range strings.Fields(all[len(all)-1][1]) {
		if mech, ok := strings.CutPrefix(strings.ToUpper(c), "AUTH="); ok {
			caps["AUTH"] = strings.TrimSpace(caps["AUTH"] + " " + mech)
			continue
		}
		caps[strings.ToUpper(c)] = ""
	}
	return caps
}

// The IMAP session of the built-in server, key by key: TAB in each state
// offers what the table allows with the capabilities advertised, a tag
// typed or not, mailbox names learnt from LIST, message numbers from
// EXISTS, FETCH items and flags; the password is masked; IDLE shows a
// delivery as it happens and Ctrl-C ends it; a literal is typed with its
// octets counted down.
func TestKeysIMAPStates(t *testing.T) {
	t.Parallel()
	const pw = "imap-keys-Qw3"
	tt, state := startBuiltin(t, pw)
	smtpURL := regexp.MustCompile(`smtp://127\.0\.0\.1:\d+`).FindString(tt.screen())

	// A message to read, sent over SMTP first, as in the lecture.
	tt.toData()
	tt.command("Subject: one", "", "data>")
	tt.command("", "", "data>")
	tt.command("first body", "", "data>")
	tt.command(".", "250 2.0.0", "mail>")

	tt.command(":connect imap", "IMAP server ready", "login a1>")
	caps := imapCaps(tt.screen())
	tt.tabEmpty("login a1>", offered(imap.Protocol, imap.NotAuth, proto.Snapshot{CapsKnown: true, Caps: caps}))
	for _, absent := range []string{"SELECT", "FETCH", "IDLE", "ID"} {
		if slices.Contains(tt.listed(), absent) {
			t.Errorf("%s offered before login, or without its capability", absent)
		}
	}
	// A tag typed first: the commands are offered after it.
	tt.tabLine("login a1>", "x7 LOGI\t", "x7 LOGIN")
	tt.tabLine("login a1>", "AUTHENTICATE \t", "AUTHENTICATE PLAIN")

	// LOGIN: the password is masked key by key, and the tag moves on.
	tt.typeSecret("login a1>", "LOGIN demo "+pw, len("LOGIN demo "))
	tt.command("", "a1 OK", "auth a2>")
	caps = imapCaps(tt.screen())
	tt.tabEmpty("auth a2>", offered(imap.Protocol, imap.Auth, proto.Snapshot{CapsKnown: true, Caps: caps, Authenticated: true}))

	// Mailbox names come from LIST (and CREATE), quoted when they need it.
	tt.command(`LIST "" "*"`, "a2 OK", "auth a3>")
	tt.command(`CREATE "Sent Items"`, "a3 OK", "auth a4>")
	tt.send("SELECT \t")
	tt.waitUntil("the mailboxes listed", func(string) bool {
		return strings.HasPrefix(tt.lastLines(2), `"Sent Items"  INBOX`+"\n")
	})
	tt.send("\x15")
	tt.waitPrompt("auth a4>")
	tt.tabLine("auth a4>", "SELECT IN\t", "SELECT INBOX")
	tt.tabLine("auth a4>", "SELECT \"Se\t", `SELECT "Sent Items"`)
	tt.command("SELECT INBOX", "a4 OK", "selected INBOX a5>")

	// The messages that exist, and FETCH items, in a list too.
	tt.send("FETCH \t")
	tt.waitUntil("message 1 and the sets", func(string) bool { return slices.Equal(tt.listed(), []string{"*", "1", "1:*"}) })
	tt.send("\x15")
	tt.waitPrompt("selected INBOX a5>")
	tt.tabLine("selected INBOX a5>", "FETCH 1 (FL\t", "FETCH 1 (FLAGS")
	tt.tabLine("selected INBOX a5>", "FETCH 1 RFC822.S\t", "FETCH 1 RFC822.SIZE")
	tt.tabLine("selected INBOX a5>", "STORE 1 +FL\t", "STORE 1 +FLAGS")
	tt.tabLine("selected INBOX a5>", `STORE 1 +FLAGS (\Se`+"\t", `STORE 1 +FLAGS (\Seen`)
	tt.tabLine("selected INBOX a5>", "SEARCH UNS\t", "SEARCH UNSEEN")
	tt.tabLine("selected INBOX a5>", "UID FE\t", "UID FETCH")

	// FETCH BODY[]: the literal is read by count and shown as the
	// message; :show reads it.
	tt.command("FETCH 1 BODY[]", "a5 OK", "selected INBOX a6>")
	if !strings.Contains(tt.screen(), "first body") {
		t.Errorf("the message fetched is not shown:\n%s", tt.screen())
	}
	tt.command(":show", "Subject: one", "selected INBOX a6>")

	// IDLE: a message delivered meanwhile shows up at once; Ctrl-C ends
	// IDLE with DONE.
	tt.command("IDLE", "+ idling", "idle>")
	mailsh(t, "EHLO me\nMAIL FROM:<b@b.example>\nRCPT TO:<demo@localhost>\nDATA\nSubject: two\n\nsecond\n.\nQUIT\n", nil, smtpURL).must(t, 0, "250 2.0.0")
	tt.waitFor("* 2 EXISTS")
	tt.send("\x03")
	tt.waitFor("a6 OK")
	tt.waitPrompt("selected INBOX a7>")
	tt.send("FETCH \t")
	tt.waitUntil("messages 1 and 2", func(string) bool { return slices.Equal(tt.listed(), []string{"*", "1", "1:*", "2"}) })
	tt.send("\x15")
	tt.waitPrompt("selected INBOX a7>")

	// A literal typed by hand: the prompt counts its octets down; a TAB
	// in it is a character; the empty line after it ends the command.
	msg := "Subject: typed\r\n\r\nx\ty\r\n"
	left := func(n int) string { return "literal (" + strconv.Itoa(n) + " octets to go)>" }
	tt.command("APPEND INBOX {"+strconv.Itoa(len(msg))+"}", "+ ", left(len(msg)))
	tt.send("Subject: typed\r")
	tt.waitPrompt(left(len(msg) - 16))
	tt.send("\r")
	tt.waitPrompt(left(len(msg) - 18))
	tt.send("x\ty\r")
	tt.waitPrompt("literal (0 octets to go)>")
	tt.command("", "a7 OK", "selected INBOX a8>")
	tt.command("FETCH 3 BODY[TEXT]", "a8 OK", "selected INBOX a9>")
	if !strings.Contains(tt.screen(), "x\ty") && !strings.Contains(tt.screen(), "x       y") {
		t.Errorf("the TAB typed in the literal did not reach the mailbox:\n%s", tt.screen())
	}

	tt.command("LOGOUT", "a9 OK", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}

	// The password never reached the screen or the history file.
	raw := tt.rawString()
	if n := strings.Count(raw, pw); n != 1 { // the start-up line
		t.Errorf("the password was written %d times, want 1 (the start-up line)", n)
	}
	hist, err := os.ReadFile(filepath.Join(state, "mailsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(hist), pw) || strings.Contains(string(hist), "LOGIN demo") {
		t.Errorf("history holds the LOGIN line:\n%s", hist)
	}
	if !strings.Contains(string(hist), "SELECT INBOX") {
		t.Errorf("history lacks the lines it should keep:\n%s", hist)
	}
}

// Against Dovecot's IMAP: STARTTLS with its certificate checked, LOGIN
// with the password asked for, and TAB completing Dovecot's own mailbox
// names as LIST returned them.
func TestKeysIMAPDovecot(t *testing.T) {
	t.Parallel()
	const pw = "dovecot-keys-7Rz"
	d := peertest.StartDovecotIMAP(t, "", map[string]string{"vmc": pw})
	d.Deliver(t, "vmc", "1.msg", []byte(lectureMessage))
	for _, folder := range []string{".Arquivo", ".Trabalhos"} {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(d.MailRoot, "vmc", folder, sub), 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.Chown()
	tt := startTTY(t, nil, "--starttls", "--cafile", d.Cert.CAFile, "imap://"+d.IMAPAddr)
	tt.waitPrompt("[tls] login a2>")
	tt.command("LOGIN vmc", "password:", "password:")
	tt.send(pw + "\r")
	tt.waitFor("a2 OK")
	tt.waitPrompt("auth a3>")
	tt.command(`LIST "" "*"`, "a3 OK", "auth a4>")
	tt.send("SELECT \t")
	tt.waitUntil("Dovecot's mailboxes", func(string) bool {
		return slices.Equal(strings.Fields(strings.Split(tt.lastLines(2), "\n")[0]), []string{"Arquivo", "INBOX", "Trabalhos"})
	})
	tt.send("\x15")
	tt.waitPrompt("auth a4>")
	tt.tabLine("auth a4>", "SELECT Tr\t", "SELECT Trabalhos")
	tt.command("SELECT INBOX", "a4 OK", "selected INBOX a5>")
	tt.tabLine("selected INBOX a5>", "FETCH \t", "FETCH ") // one message: listed, not inserted
	tt.command("FETCH 1 BODY.PEEK[]", "a5 OK", "selected INBOX a6>")
	if !strings.Contains(tt.screen(), "mensagem de teste") {
		t.Errorf("the message fetched is not shown:\n%s", tt.screen())
	}
	tt.command("LOGOUT", "a6 OK", "")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if strings.Contains(tt.rawString(), pw) {
		t.Error("the password reached the screen")
	}
}
