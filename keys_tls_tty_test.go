package main

import (
	"strings"
	"testing"
)

// :tls on a clear-text connection suggests :starttls where it would
// work, and :starttls then does work.
func TestKeysTLSSuggestsStartTLS(t *testing.T) {
	t.Parallel()
	tt := startBuiltinAt(t, t.TempDir(), "tls-keys")
	const suggestion = "the connection is not encrypted (clear text); use :starttls"

	// SMTP, before EHLO (:starttls sends one) and after it.
	tt.command(":tls", suggestion, "helo>")
	tt.command("EHLO me", "250-STARTTLS", "mail>")
	tt.command(":tls", suggestion, "mail>")
	tt.command(":starttls", "220 ", "[tls] helo>")
	tt.command(":tls", "protocol: TLS", "[tls] helo>")
	if strings.Count(tt.screen(), suggestion) != 2 {
		t.Errorf(":tls suggests :starttls on an encrypted connection:\n%s", tt.screen())
	}

	// POP3: STLS before login.
	tt.command(":connect pop3", "+OK ", "auth>")
	tt.command(":tls", suggestion, "auth>")
	tt.command(":starttls", "+OK ", "[tls] auth>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// After an EHLO reply without STARTTLS, :starttls is refused, so :tls
// does not suggest it.
func TestKeysTLSNoSuggestionWithoutStartTLS(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	tt := startTTY(t, isolatedHome(t), "smtp://"+srv.Addr)
	tt.waitPrompt("helo>")
	tt.command("EHLO me", "250 8BITMIME", "mail>")
	tt.command(":starttls", "does not offer STARTTLS", "mail>")
	tt.command(":tls", "not encrypted", "mail>")
	if strings.Contains(tt.lastLines(2), "use :starttls") {
		t.Errorf(":tls suggests :starttls, which the server does not offer:\n%s", tt.screen())
	}
}
