package main

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
)

// The keystroke matrix: the real binary at a pseudo-terminal, typed into
// key by key, one session per protocol walked through its states. What
// TAB must offer comes from the command tables (a proto.Snapshot of the
// state and of what the server advertised), not from a list written here.

// startBuiltin starts mailsh with no arguments (the built-in server and a
// session to it) with a private data directory and a known demo password.
func startBuiltin(t *testing.T, password string, args ...string) (*tty, string) {
	t.Helper()
	data := t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "mailsh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "mailsh", "demo-password"), []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	tt := startTTY(t, []string{"XDG_DATA_HOME=" + data, "XDG_STATE_HOME=" + state}, args...)
	tt.waitPrompt("helo>")
	return tt, state
}

// listed returns the candidates of the list printed just above the
// prompt: the lines "  NAME  help" or the columns of bare names.
func (tt *tty) listed() []string {
	lines := strings.Split(tt.screen(), "\n")
	end := len(lines) - 1
	for end >= 0 && strings.TrimSpace(lines[end]) == "" {
		end--
	}
	var names []string
	for i := end - 1; i >= 0; i-- {
		l := lines[i]
		if i > 0 && len([]rune(lines[i-1])) >= ttyCols-1 && !strings.HasPrefix(l, "  ") {
			continue // the end of a long line the terminal wrapped
		}
		if !strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, ":") {
			break
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			break
		}
		if strings.HasPrefix(l, "  ") {
			names = append(names, f[0])
		} else {
			names = append(names, f...)
		}
	}
	slices.Sort(names)
	return names
}

// tabEmpty presses TAB on the empty line at prompt and checks that the
// list shown is exactly want.
func (tt *tty) tabEmpty(prompt string, want []string) {
	tt.t.Helper()
	want = slices.Sorted(slices.Values(want))
	tt.send("\t")
	tt.waitUntil("the list "+strings.Join(want, " ")+" above "+prompt, func(string) bool {
		return strings.HasSuffix(tt.lastLine(), prompt) && slices.Equal(tt.listed(), want)
	})
}

// tabLine types keys (TABs among them), waits until the line reads want,
// and clears it with Ctrl-U.
func (tt *tty) tabLine(prompt, keys, want string) {
	tt.t.Helper()
	tt.send(keys)
	tt.waitUntil("the line "+prompt+" "+want, func(string) bool {
		return strings.HasSuffix(strings.TrimRight(tt.lastLine(), " "), prompt+" "+strings.TrimRight(want, " "))
	})
	tt.send("\x15")
	tt.waitPrompt(prompt)
}

// offered is what the command tables say may be sent in a state.
func offered(p proto.Protocol, st proto.State, snap proto.Snapshot) []string {
	snap.Proto, snap.State = p, st
	var out []string
	for _, c := range snap.Commands() {
		out = append(out, c.Name)
	}
	return out
}

var ehloLine = regexp.MustCompile(`(?m)^250[- ]([A-Z0-9-]+)(?: (.*))?$`)

// ehloExtensions reads the extensions of the last EHLO reply on screen.
func ehloExtensions(screen string) map[string]string {
	i := max(strings.LastIndex(screen, "> EHLO"), 0)
	ext := map[string]string{}
	for _, m := range ehloLine.FindAllStringSubmatch(screen[i:], -1) {
		ext[m[1]] = m[2]
	}
	return ext
}

func TestKeysSMTPStates(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "pw-for-keys")
	p := smtp.Protocol

	// The greeting: TAB on the empty line, on a partial verb, after a verb.
	tt.tabEmpty("helo>", offered(p, smtp.Connected, proto.Snapshot{}))
	tt.tabLine("helo>", "N\t", "NOOP")
	tt.tabLine("helo>", "eh\t", "ehlo")
	tt.send("EHLO \t")
	tt.waitUntil("the EHLO names", func(screen string) bool {
		lines := strings.Split(screen, "\n")
		for i := len(lines) - 1; i > 0; i-- {
			if strings.Contains(lines[i], "helo> EHLO") {
				return slices.Contains(strings.Fields(lines[i-1]), "localhost")
			}
		}
		return false
	})
	tt.send("\x15")
	tt.waitPrompt("helo>")
	// A second TAB on the same new prompt lists again after a command.
	tt.command("EHLO me", "250 HELP", "mail>")
	ext := ehloExtensions(tt.screen())
	if _, ok := ext["AUTH"]; !ok {
		t.Fatalf("no AUTH in the EHLO reply: %v", ext)
	}
	after := proto.Snapshot{Greeted: true, CapsKnown: true, Caps: ext}
	tt.tabEmpty("mail>", offered(p, smtp.Ready, after))
	tt.tabLine("mail>", "MA\t\t", "MAIL FROM:<")
	tt.tabLine("mail>", "mail \t", "mail from:<")
	tt.tabLine("mail>", "AUTH C\t", "AUTH CRAM-MD5")

	tt.command("mail from:<a@b.example>", "250 2.1.0", "rcpt>")
	tt.tabEmpty("rcpt>", offered(p, smtp.Mail, after))
	tt.tabLine("rcpt>", "RC\t\t", "RCPT TO:<")
	tt.tabLine("rcpt>", "rcpt \t", "rcpt to:<")

	tt.command("RCPT TO:<demo@localhost>", "250 2.1.5", "rcpt/data>")
	tt.tabEmpty("rcpt/data>", offered(p, smtp.Rcpt, after))
	tt.tabLine("rcpt/data>", "DA\t", "DATA")
	tt.tabLine("rcpt/data>", "BDAT 5 \t", "BDAT 5 LAST")

	// DATA: TAB is text, Ctrl-C cancels only the line being typed,
	// Ctrl-D ends the message as a lone "." would.
	tt.command("DATA", "354 ", "data>")
	tt.send("Subject: keys\r")
	tt.waitPrompt("data>")
	tt.send("\tfolded")
	tt.waitFor("data>     folded")
	tt.send("\r")
	tt.waitPrompt("data>")
	tt.send("to be cancelled")
	tt.waitFor("data> to be cancelled")
	tt.send("\x03")
	tt.waitUntil("a fresh data> prompt", func(string) bool { return strings.HasSuffix(tt.lastLine(), "data>") })
	for _, l := range []string{"", ".hidden", "trailing  ", "tab\tin the middle", "çà€ ünïcødé"} {
		tt.send(l + "\r")
		tt.waitPrompt("data>")
	}
	tt.send("\x04")
	tt.waitFor("Ctrl-D: end of the message")
	tt.waitPrompt("mail>")
	// The server adds Date, From and Message-ID at the end of the header.
	head, body := "Subject: keys\n\tfolded\n", "\n\n.hidden\ntrailing  \ntab\tin the middle\nçà€ ünïcødé\n"
	if got := tt.storedMessage(1); !strings.Contains(got, head) || !strings.HasSuffix(got, body) || strings.Contains(got, "cancelled") {
		t.Fatalf("stored message:\n%q\nwant the header to hold %q and the message to end with %q", got, head, body)
	}

	// After the server closed: only mailsh's own commands, :connect first.
	tt.command("QUIT", "221 ", "(not connected)>")
	tt.tabLine("(not connected)>", ":conn\t", ":connect")
	tt.send("\t")
	tt.waitUntil("the meta-commands", func(string) bool { return slices.Contains(tt.listed(), ":connect") })
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// storedMessage returns the n-th message (in name order) of the demo
// mailbox of the built-in server behind tt.
func (tt *tty) storedMessage(n int) string {
	tt.t.Helper()
	data := ""
	for _, kv := range tt.cmd.Env {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			data = v
		}
	}
	files, _ := filepath.Glob(filepath.Join(data, "mailsh", "Maildir", "demo", "*", "*"))
	slices.Sort(files)
	if len(files) < n {
		tt.t.Fatalf("%d messages stored, want at least %d", len(files), n)
	}
	b, err := os.ReadFile(files[n-1])
	if err != nil {
		tt.t.Fatal(err)
	}
	return string(b)
}

// typeSecret types line one key at a time; the first shown runes are
// the part that may be seen (the verb and so on), the rest must show as
// "*". After every key the line on screen is checked.
func (tt *tty) typeSecret(prompt, line string, shown int) {
	tt.t.Helper()
	for i, r := range []rune(line) {
		tt.send(string(r))
		typed := []rune(line)[:i+1]
		want := string(typed)
		if len(typed) > shown {
			want = string(typed[:shown]) + strings.Repeat("*", len(typed)-shown)
		}
		tt.waitUntil("the line "+prompt+" "+want, func(string) bool {
			return strings.HasSuffix(tt.lastLine(), prompt+" "+strings.TrimRight(want, " "))
		})
	}
}

func TestKeysSecretsMasked(t *testing.T) {
	t.Parallel()
	const pw = "Zq7-secret-xK9"
	tt, state := startBuiltin(t, pw)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	plain := b64("\x00demo\x00" + pw)

	// SMTP: AUTH PLAIN with the blob typed inline, in both cases; AUTH
	// LOGIN with an initial response, then the password as an answer.
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.typeSecret("mail>", "auth plain "+plain, len("auth plain "))
	tt.command("", "235 ", "mail>")
	tt.command(":connect", "220 ", "helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.typeSecret("mail>", "AUTH PLAIN "+plain, len("AUTH PLAIN "))
	tt.command("", "235 ", "mail>")
	tt.command(":connect", "220 ", "helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.typeSecret("mail>", "AUTH LOGIN "+b64("demo"), len("AUTH LOGIN "))
	tt.command("", "334 UGFzc3dvcmQ6", ">")
	if !strings.Contains(tt.screen(), "↳ Password:") {
		t.Errorf("the 334 challenge is not decoded:\n%s", tt.screen())
	}
	tt.typeSecret(">", b64(pw), 0)
	tt.command("", "235 ", "mail>")
	// The reply starts on a line of its own after the masked answer.
	if !regexp.MustCompile(`\*\n235 `).MatchString(tt.screen()) {
		t.Errorf("the reply after a masked SASL answer is not on a line of its own:\n%s", tt.screen())
	}

	// POP3: PASS typed on the line, lower and upper case; APOP with its
	// digest; AUTH PLAIN with an initial response.
	for _, p := range []string{"pass ", "PASS "} {
		tt.command(":connect pop3", "+OK ", "auth>")
		tt.command("USER demo", "+OK ", "pass>")
		tt.typeSecret("pass>", p+pw, len(p))
		tt.command("", "+OK Logged in", "trans>")
		tt.command("QUIT", "signing off", "(not connected)>")
	}
	for _, verb := range []string{"apop", "APOP"} {
		tt.command(":connect pop3", "+OK ", "auth>")
		stamp := regexp.MustCompile(`<[^>]+@[^>]+>`).FindAllString(tt.screen(), -1)
		sum := md5.Sum([]byte(stamp[len(stamp)-1] + pw))
		tt.typeSecret("auth>", verb+" demo "+hex.EncodeToString(sum[:]), len(verb+" demo "))
		tt.command("", "+OK Logged in", "trans>")
		tt.command("QUIT", "signing off", "(not connected)>")
	}
	tt.command(":connect pop3", "+OK ", "auth>")
	tt.typeSecret("auth>", "auth PLAIN "+plain, len("auth PLAIN "))
	tt.command("", "+OK Logged in", "trans>")

	// The control: the same words typed where they are not a secret do
	// show, so the checks above could fail.
	tt.send("NOOP " + pw)
	tt.waitFor("NOOP " + pw)
	tt.send("\x15")
	tt.waitPrompt("trans>")
	tt.command("QUIT", "signing off", "(not connected)>")
	tt.send("\x04")
	tt.wait()

	// Everything mailsh ever wrote: the password only in the start-up
	// line that announces it; no blob, no digest.
	raw := tt.rawString()
	if n := strings.Count(raw, pw); n != 2 { // the start-up line and the control
		t.Errorf("the password was written %d times, want 2 (start-up line and control):\n%s", n, raw)
	}
	for _, s := range []string{plain, b64(pw)} {
		if strings.Contains(raw, s) {
			t.Errorf("%q was written to the terminal", s)
		}
	}
	hist, err := os.ReadFile(filepath.Join(state, "mailsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{pw, plain, b64(pw), "apop demo", "APOP demo", "pass ", "PASS "} {
		if strings.Contains(string(hist), s) {
			t.Errorf("history holds %q:\n%s", s, hist)
		}
	}
	if !strings.Contains(string(hist), "USER demo") {
		t.Errorf("history lacks the lines it should keep:\n%s", hist)
	}
}

// The lecture's cycle in one mailsh with no arguments, typed as on the
// slides: the SMTP session to a recipient at another domain, quit, then
// POP3 on the same mailbox, and Ctrl-D to leave.
func TestKeysLectureCycle(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "tanstaaf")
	for _, step := range []struct{ typed, reply, prompt string }{
		{"helo mail", "250 localhost Hello mail", "mail>"},
		{"mail from: antunes@ipleiria.pt", "250 2.1.0", "rcpt>"},
		{"rcpt to: antunes@ipleiria.pt", "250 2.1.5 Recipient <antunes@ipleiria.pt> OK, caught by the catch-all", "rcpt/data>"},
		{"data", "354 ", "data>"},
		{"Teste do mail", "data> Teste do mail", "data>"},
		{".", "250 2.0.0", "mail>"},
		{"quit", "221 ", "(not connected)>"},
		{":connect pop3", "+OK ", "auth>"},
		{"USER demo", "+OK ", "pass>"},
	} {
		tt.command(step.typed, step.reply, step.prompt)
	}
	tt.send("PASS\r")
	tt.waitFor("password:")
	tt.command("tanstaaf", "+OK Logged in as demo: 1 messages", "trans>")
	if !strings.Contains(tt.screen(), "password:\n+OK Logged in") {
		t.Errorf("the reply after the hidden password is not on a line of its own:\n%s", tt.screen())
	}
	tt.command("STAT", "+OK 1 ", "trans>")
	tt.command("LIST 1", "+OK 1 ", "trans>")
	tt.command("RETR 1", "end of the reply", "trans>")
	if !strings.Contains(tt.screen(), "Teste do mail") {
		t.Errorf("RETR did not show the message:\n%s", tt.screen())
	}
	tt.command("QUIT", "signing off", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

func TestKeysPOP3States(t *testing.T) {
	t.Parallel()
	const pw = "pop3-keys"
	tt, _ := startBuiltin(t, pw)
	p := pop3.Protocol
	// Two messages to list.
	tt.command("EHLO me", "250 HELP", "mail>")
	for _, subj := range []string{"one", "two"} {
		tt.command("MAIL FROM:<a@b.example>", "250 2.1.0", "rcpt>")
		tt.command("RCPT TO:<demo@localhost>", "250 2.1.5", "rcpt/data>")
		tt.command("DATA", "354 ", "data>")
		tt.command("Subject: "+subj, "data> Subject: "+subj, "data>")
		tt.command("", "data>", "data>")
		tt.command(".hidden", "data> .hidden", "data>")
		tt.command(".", "250 2.0.0", "mail>")
	}
	tt.command(":connect pop3", "+OK ", "auth>")
	stamp := regexp.MustCompile(`<[^>]+@[^>]+>`).FindAllString(tt.screen(), -1)
	greeted := proto.Snapshot{APOPStamp: stamp[len(stamp)-1]}

	// AUTHORIZATION, before CAPA: what the table offers with the
	// greeting's APOP timestamp.
	tt.tabEmpty("auth>", offered(p, pop3.Authorization, greeted))
	tt.tabLine("auth>", "U\t", "USER")
	tt.tabLine("auth>", "ap\t", "apop")
	// After CAPA, AUTH offers the mechanisms the server listed.
	tt.command("CAPA", "end of the reply", "auth>")
	tt.tabLine("auth>", "AUTH CR\t", "AUTH CRAM-MD5")
	// After USER: PASS.
	tt.command("USER demo", "+OK ", "pass>")
	tt.tabLine("pass>", "P\t", "PASS")
	tt.send("PASS\r")
	tt.waitFor("password:")
	tt.command(pw, "+OK Logged in", "trans>")
	// TRANSACTION: the commands, then the message numbers that exist.
	tt.send("\t")
	tt.waitUntil("the TRANSACTION commands", func(string) bool {
		l := tt.listed()
		return slices.Contains(l, "RETR") && slices.Contains(l, "DELE") && !slices.Contains(l, "USER") && !slices.Contains(l, "APOP")
	})
	tt.send("\x15")
	tt.waitPrompt("trans>")
	tt.command("LIST", "end of the reply", "trans>")
	tt.send("RETR \t")
	tt.waitUntil("messages 1 and 2", func(string) bool { l := tt.listed(); return slices.Equal(l, []string{"1", "2"}) })
	tt.send("\x15")
	tt.waitPrompt("trans>")
	// After DELE 1 only message 2 is left: it completes inline.
	tt.command("DELE 1", "+OK ", "trans>")
	tt.tabLine("trans>", "RETR \t", "RETR 2")
	tt.command("retr 2", "end of the reply", "trans>")
	// The message as stored: ".hidden", not the wire's "..hidden".
	if s := tt.screen(); !strings.Contains(s, "Subject: two") || !strings.Contains(s, "\n.hidden\n") || strings.Contains(s, "..hidden") {
		t.Errorf("RETR 2 did not show the message as stored:\n%s", s)
	}
	// :raw on shows the wire form.
	tt.command(":raw on", "raw display on", "trans>")
	tt.command("top 2 5", `.\r\n`, "trans>")
	if !strings.Contains(tt.screen(), `..hidden\r\n`) {
		t.Errorf(":raw on does not show the doubled dot:\n%s", tt.screen())
	}
	tt.command(":raw off", "raw display off", "trans>")
	tt.command("QUIT", "signing off", "(not connected)>")
	// The IMAP side of the same server.
	tt.command(":connect imap", "IMAP server ready", "login a1>")
	tt.command("a1 LOGIN demo pop3-keys", "a1 OK", "auth a2>")
	tt.command("LOGOUT", "a2 OK", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// A server that offers neither AUTH nor STARTTLS: after HELO and after
// EHLO, TAB offers what the table allows with those extensions only.
func TestKeysSMTPWithoutExtensions(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.command("HELO me", "250 fake.example", "mail>")
	tt.tabEmpty("mail>", offered(smtp.Protocol, smtp.Ready, proto.Snapshot{Greeted: true}))
	tt.command("EHLO me", "250 8BITMIME", "mail>")
	ext := ehloExtensions(tt.screen())
	tt.tabEmpty("mail>", offered(smtp.Protocol, smtp.Ready, proto.Snapshot{Greeted: true, CapsKnown: true, Caps: ext}))
	for _, absent := range []string{"AUTH", "STARTTLS"} {
		if slices.Contains(tt.listed(), absent) {
			t.Errorf("%s offered by a server that did not advertise it", absent)
		}
	}
	// :starttls is refused, unsent, with the reason.
	tt.command(":starttls", "does not offer STARTTLS", "mail>")
	if srv.received("STARTTLS") {
		t.Error("STARTTLS was sent")
	}
	tt.send("\x04")
	tt.wait()
}

// A 421: the explanation comes right after it, before the note that the
// server closed the connection, which is said once; then :connect alone
// reconnects to the same server.
func TestKeys421ThenReconnect(t *testing.T) {
	t.Parallel()
	srv := startServe(t, nil, "-q", "--maildir", t.TempDir(), "--fault", "mail~*@refused.example:421")
	tt := startTTY(t, nil, "smtp://"+srv.smtp)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.command("MAIL FROM:<a@refused.example>", "421 4.3.2", "(not connected)>")
	screen := tt.screen()
	explained := strings.Index(screen, "↳ 421:")
	closed := strings.Index(screen, "connection closed")
	if explained < 0 || closed < 0 || explained > closed {
		t.Errorf("want the explanation of the 421 before the close:\n%s", screen)
	}
	if n := strings.Count(screen, "connection closed"); n != 1 {
		t.Errorf("the close announced %d times:\n%s", n, screen)
	}
	tt.command(":connect", "220 ", "helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.command("MAIL FROM:<a@b.example>", "250 2.1.0", "rcpt>")
	tt.command(":starttls", "STARTTLS is not valid now", "rcpt>")
	tt.command(":tls", "not encrypted", "rcpt>")
	if strings.Contains(tt.lastLines(2), "use :starttls") {
		t.Errorf(":tls suggests :starttls where it is not valid:\n%s", tt.screen())
	}
	tt.send("\x04")
	tt.wait()
}

// lastLines returns the last n lines of the screen.
func (tt *tty) lastLines(n int) string {
	lines := strings.Split(strings.TrimRight(tt.screen(), "\n "), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// A paste of 2,000 lines in DATA — tabs, trailing blanks, UTF-8, leading
// dots — arrives byte for byte.
func TestKeysDataPaste(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "paste")
	tt.toData()
	var text strings.Builder
	text.WriteString("Subject: pasted\n\tand folded\nDate: Tue, 1 Dec 2026 10:00:00 +0000\nFrom: a@b.example\nMessage-ID: <paste@b.example>\n\n")
	for i := range 2000 {
		fmt.Fprintf(&text, "%d\tcolumn\tçà€ .dot  \n", i)
		if i%500 == 0 {
			text.WriteString(".starts with a dot\n")
		}
	}
	tt.send(strings.ReplaceAll(text.String(), "\n", "\r") + ".\r")
	tt.waitFor("250 2.0.0")
	got := tt.storedMessage(1)
	i := strings.Index(got, "Subject: pasted")
	if i < 0 || got[i:] != text.String() {
		t.Fatalf("the stored message differs from the paste (%d bytes stored, %d pasted)", len(got)-max(i, 0), text.Len())
	}
}

// SIGTERM at the prompt: mailsh returns through its normal path — the
// terminal back in its normal mode, the transcript complete, status 1.
func TestKeysSIGTERM(t *testing.T) {
	t.Parallel()
	tr := filepath.Join(t.TempDir(), "session.txt")
	tt, _ := startBuiltin(t, "sigterm", "-t", tr)
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.cmd.Process.Signal(syscall.SIGTERM)
	if code := tt.wait(); code != 1 {
		t.Fatalf("exit status %d after SIGTERM, want 1", code)
	}
	tt.waitFor("terminated")
	echo, canon, err := tt.lineModes()
	if err != nil {
		t.Fatal(err)
	}
	if !echo || !canon {
		t.Errorf("the terminal was left in raw mode (echo %v, line mode %v)", echo, canon)
	}
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"C: EHLO me", "S: 250 HELP", "terminated"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("transcript lacks %q:\n%s", want, b)
		}
	}
}

// AUTH pasted with its answers, refused by the server: the answers are
// neither sent, nor recorded, nor shown.
func TestKeysPastedAnswersOfARefusedAuth(t *testing.T) {
	t.Parallel()
	srv := startServe(t, nil, "-q", "--maildir", t.TempDir(), "--fault", "auth:538")
	tr := filepath.Join(t.TempDir(), "session.txt")
	tt := startTTY(t, nil, "-t", tr, "smtp://"+srv.smtp)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 HELP", "mail>")
	user, pw := base64.StdEncoding.EncodeToString([]byte("alice")), base64.StdEncoding.EncodeToString([]byte("s3cret-Pw"))
	tt.send("AUTH LOGIN\r" + user + "\r" + pw + "\r")
	tt.waitUntil("two lines kept back", func(s string) bool { return strings.Count(s, "1 line after the AUTH exchange not sent") == 2 })
	tt.waitPrompt("mail>")
	tt.command("NOOP", "250 2.0.0", "mail>")
	tt.send("\x04")
	tt.wait()
	b, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{user, pw} {
		if strings.Contains(tt.rawString(), secret) {
			t.Errorf("%s was shown", secret)
		}
		if strings.Contains(string(b), secret) {
			t.Errorf("%s was recorded (so sent):\n%s", secret, b)
		}
	}
}

// A bracketed paste in DATA is message text, whatever its lines say: a
// pasted "." does not end the message and the rest of the paste does not
// go to the server as commands; a typed "." does end it.
func TestKeysBracketedPaste(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "paste")
	if !strings.Contains(tt.rawString(), "\x1b[?2004h") {
		t.Fatal("bracketed paste was not asked of the terminal")
	}
	tt.toData()
	tt.send("\x1b[200~Subject: pasted\r\rbefore\r.\r:abort\rMAIL FROM:<evil@x.example>\r\x1b[201~")
	tt.waitFor("data> MAIL FROM:<evil@x.example>")
	tt.waitPrompt("data>")
	tt.command(".", "250 2.0.0", "mail>")
	want := "\n\nbefore\n.\n:abort\nMAIL FROM:<evil@x.example>\n"
	if got := tt.storedMessage(1); !strings.HasSuffix(got, want) {
		t.Fatalf("stored:\n%q\nwant it to end with %q", got, want)
	}
	tt.send("\x04")
	tt.wait()
	select { // all that mailsh wrote has been read
	case <-tt.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output never ended")
	}
	if !strings.Contains(tt.rawString(), "\x1b[?2004l") {
		t.Error("bracketed paste was left on at exit")
	}
}

// 8-bit text that is not UTF-8 (Latin-1 from a Latin-1 terminal) reaches
// the server byte for byte in DATA, as UTF-8 does.
func TestKeysDataEightBit(t *testing.T) {
	t.Parallel()
	tt, _ := startBuiltin(t, "eightbit")
	tt.toData()
	tt.command("Subject: 8bit", "data> Subject: 8bit", "data>")
	tt.command("", "data>", "data>")
	tt.command("caf\xe9 na\xefve \u20ac", "data> caf? na?ve \u20ac", "data>")
	tt.command(".", "250 2.0.0", "mail>")
	if got := tt.storedMessage(1); !strings.HasSuffix(got, "\n\ncaf\xe9 na\xefve \u20ac\n") {
		t.Fatalf("stored %q", got)
	}
}

// toData introduces itself and opens a message to the demo mailbox, up to
// the data> prompt.
func (tt *tty) toData() {
	tt.t.Helper()
	tt.command("EHLO me", "250 HELP", "mail>")
	tt.command("MAIL FROM:<a@b.example>", "250 2.1.0", "rcpt>")
	tt.command("RCPT TO:<demo@localhost>", "250 2.1.5", "rcpt/data>")
	tt.command("DATA", "354 ", "data>")
}
