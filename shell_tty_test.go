package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/internal/peertest"
)

const prompt = "smtp 127.0.0.1"

func TestTTYCompletesEHLO(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt(prompt + " helo>")
	tt.send("EH\t")
	tt.waitFor("helo> EHLO")
	tt.send("me") // the completion added the space
	tt.waitFor("helo> EHLO me")
	tt.command("", "250 8BITMIME", "mail>")
	if !srv.received("EHLO me") {
		t.Fatalf("server got %q", srv.all())
	}
	// Lower case, as in the lecture, completes in lower case.
	tt.send("ma\t")
	tt.waitFor("mail> mail")
	tt.send("\x15") // Ctrl-U clears the line
	tt.send("\x04") // Ctrl-D leaves, sending QUIT
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if !srv.received("QUIT") {
		t.Error("Ctrl-D did not send QUIT")
	}
}

func TestTTYStartTLSOnlyWhenAdvertised(t *testing.T) {
	t.Parallel()
	for _, advertised := range []bool{false, true} {
		var ext []string
		if advertised {
			ext = []string{"STARTTLS"}
		}
		srv := startFakeSMTP(t, ext...)
		tt := startTTY(t, nil, "smtp://"+srv.Addr)
		tt.waitPrompt("helo>")
		// The Z after the TAB shows when the TAB has been dealt with:
		// a completion would stand between STA and Z, a list of
		// choices above them.
		tt.send("STA\tZ")
		tt.waitFor("helo> STAZ")
		if strings.Contains(tt.screen(), "STARTTLS") {
			t.Fatalf("STARTTLS offered before EHLO:\n%s", tt.screen())
		}
		tt.send("\x15EHLO me\r")
		tt.waitPrompt("mail>")
		if advertised {
			tt.send("STA\t")
			tt.waitFor("mail> STARTTLS")
		} else {
			tt.send("STA\tZ")
			tt.waitFor("mail> STAZ")
			if strings.Contains(tt.screen(), "STARTTLS") {
				t.Fatalf("STARTTLS offered though not advertised:\n%s", tt.screen())
			}
		}
	}
}

func TestTTYDataModeDotStuffs(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	// A paste of the whole lecture session at once.
	tt.send("helo mail\rmail from: <antunes@ipleiria.pt>\rrcpt to: <antunes@ipleiria.pt>\rdata\r")
	tt.waitPrompt("data>")
	tt.send("Teste do mail\r.hidden\r.\r")
	tt.waitFor("250 2.0.0 queued")
	tt.waitPrompt("mail>")
	if !srv.received("..hidden") || srv.received(".hidden") {
		t.Fatalf("server got %q", srv.all())
	}
	tt.send("quit\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

func TestTTYPasswordNeverShown(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t, "AUTH PLAIN LOGIN")
	state := t.TempDir()
	tt := startTTY(t, []string{"XDG_STATE_HOME=" + state}, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.send("EHLO me\r")
	tt.waitPrompt("mail>")
	tt.send(":auth LOGIN tim\r")
	tt.waitFor("password for tim:")
	tt.command("tanstaaf-secret", "235 2.7.0 ok", "mail>")
	tt.command("NOOP", "250 2.0.0 ok", "mail>")
	tt.send("\x04")
	tt.wait()
	if strings.Contains(tt.screen(), "tanstaaf") || strings.Contains(tt.rawString(), "tanstaaf") {
		t.Fatalf("password on screen:\n%s", tt.screen())
	}
	// base64("tanstaaf-secret") must not be on screen either.
	if strings.Contains(tt.rawString(), "dGFuc3RhYWYtc2VjcmV0") {
		t.Fatal("base64 password on screen")
	}
	hist, err := os.ReadFile(filepath.Join(state, "mailsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(hist), "tanstaaf") || strings.Contains(string(hist), "dGFuc3RhYWYtc2VjcmV0") || !strings.Contains(string(hist), "NOOP") {
		t.Fatalf("history file: %q", hist)
	}
	if !srv.received("dGFuc3RhYWYtc2VjcmV0") {
		t.Fatalf("the server did not get the password: %q", srv.all())
	}
}

// Server output that arrives while the user types goes above the prompt,
// and the line being typed survives.
func TestTTY421WhileTyping(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.send("EHLO half-typ")
	tt.waitFor("helo> EHLO half-typ")
	srv.push("421 4.3.2 shutting down")
	tt.waitFor("421 4.3.2 shutting down")
	tt.waitUntil("the typed line intact below the 421", func(s string) bool {
		i := strings.Index(s, "421 4.3.2")
		return i >= 0 && strings.Contains(s[i:], "> EHLO half-typ")
	})
}

func TestTTYColour(t *testing.T) {
	t.Parallel()
	for _, noColor := range []bool{false, true} {
		srv := startFakeSMTP(t)
		var env []string
		if noColor {
			env = []string{"NO_COLOR=1"}
		}
		tt := startTTY(t, env, "smtp://"+srv.Addr)
		tt.waitPrompt("helo>")
		tt.send("BOGUS\r")
		tt.waitFor("250 2.0.0 ok")
		raw := tt.rawString()
		green := strings.Contains(raw, "\x1b[32m220 fake.example")
		if green == noColor {
			t.Errorf("NO_COLOR=%v: green greeting %v in %q", noColor, green, raw)
		}
	}
}

// Completion keeps working, race-free, while the server prints lines
// above the prompt.
func TestTTYCompletionDuringServerOutput(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				srv.push("250-noise line")
			}
		}
	}()
	for i := 0; i < 40; i++ {
		tt.send("\t")
		tt.send("E\t")
		tt.send("\x15")
	}
	close(stop)
	<-done
	tt.send("\x15EH\t")
	tt.waitFor("EHLO ")
}

func TestTTYCtrlC(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, nil, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.send("EHLO something")
	tt.waitFor("helo> EHLO something")
	tt.send("\x03") // cancels the line
	tt.waitUntil("a fresh prompt", func(s string) bool { return strings.HasSuffix(tt.lastLine(), "helo>") })
	if srv.received("EHLO something") {
		t.Fatal("a cancelled line was sent")
	}
	tt.send("\x03")
	tt.waitUntil("the hint, then a prompt", func(s string) bool {
		return strings.Contains(s, "Ctrl-C again") && strings.HasSuffix(tt.lastLine(), "helo>")
	})
	tt.send("\x03") // the second Ctrl-C on an empty line leaves
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if !srv.received("QUIT") {
		t.Error("leaving did not send QUIT")
	}
}

func TestTTYPOP3MessageNumbers(t *testing.T) {
	t.Parallel()
	d := peertest.StartDovecot(t, "", map[string]string{"vmc": "tanstaaf"})
	for i := 1; i <= 3; i++ {
		d.Deliver(t, "vmc", fmt.Sprintf("%d.msg", i), []byte(fmt.Sprintf("Subject: n%d\r\nFrom: a@b\r\n\r\n%s\r\n", i, strings.Repeat("x", i*100))))
	}
	tt := startTTY(t, nil, "pop3://"+d.Addr)
	tt.waitFor("pop3 127.0.0.1 auth>")
	tt.send("user vmc\r")
	tt.waitPrompt("pass>")
	tt.send("pass\r")
	tt.waitFor("password")
	tt.send("tanstaaf\r")
	tt.waitPrompt("trans>")
	tt.send("list\r")
	tt.waitFor("3 3")
	tt.send("dele 2\r")
	tt.waitPrompt("trans>")
	tt.send("retr \t")
	// Exactly the live messages, with their sizes as hints.
	tt.waitFor("  1  ")
	tt.waitUntil("the list of live messages", func(s string) bool {
		return strings.Contains(s, "octets") && strings.Contains(s, "  3  ")
	})
	if lines := strings.Split(tt.screen(), "\n"); strings.Contains(tt.screen(), "  2  ") {
		t.Fatalf("deleted message 2 offered:\n%s", strings.Join(lines, "\n"))
	}
	tt.send("3\r")
	tt.waitFor("Subject: n3")
	if !strings.Contains(tt.rawString(), "\x1b[1mSubject:") {
		t.Error("header field names are not bold")
	}
	tt.send("quit\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

func TestTTYDumbTerminal(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, []string{"TERM=dumb"}, "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	if strings.Contains(tt.rawString(), "\x1b[6n") {
		t.Error("cursor position queried on a dumb terminal")
	}
	if strings.Contains(tt.screen(), "TAB") {
		t.Errorf("the banner promises TAB on a dumb terminal:\n%s", tt.screen())
	}
	tt.send("EHLO me\r")
	tt.waitFor("250 8BITMIME")
	tt.send("QUIT\r")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}
