package main

import (
	"slices"
	"strings"
	"testing"
)

// After "MAIL FROM:<", TAB offers the addresses used before in the
// session, in MAIL and in RCPT, and the null sender.
func TestKeysMailFromOffersUsedAddresses(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, isolatedHome(t), "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 8BITMIME", "mail>")
	tt.command("MAIL FROM:<first@a.example>", "250 ", "rcpt>")
	tt.command("RCPT TO:<second@b.example>", "250 ", "rcpt/data>")
	tt.command("RSET", "250 ", "mail>")

	tt.send("MAIL FROM:<\t")
	want := []string{"FROM:<>", "FROM:<first@a.example>", "FROM:<second@b.example>"}
	tt.waitUntil("the list "+strings.Join(want, " "), func(string) bool {
		return strings.HasSuffix(tt.lastLine(), "mail> MAIL FROM:<") && slices.Equal(tt.listed(), want)
	})
	tt.send("\x15")
	tt.waitPrompt("mail>")
	tt.tabLine("mail>", "MAIL FROM:<f\t", "MAIL FROM:<first@a.example>")
	tt.tabLine("mail>", "mail from: <s\t", "mail from: <second@b.example>")
	tt.command("MAIL FROM:<s\t", "250 ", "rcpt>")
	if !srv.received("MAIL FROM:<second@b.example>") {
		t.Fatalf("the server got:\n%s", srv.all())
	}
}
