package protocols

import (
	"strings"
	"testing"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/imap"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/raw"
	"github.com/mailsh/mailsh/proto/smtp"
)

// TestParseTargetSchemes: each URL form of the README's "Talking to other
// servers" gives its protocol, its default port and its way of starting
// TLS; an explicit port wins; raw line mode has no default port; the
// user in the URL is kept for :auth.
func TestParseTargetSchemes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url      string
		proto    proto.Protocol
		port     int
		implicit bool
		starttls bool
		user     string
	}{
		{"smtp://mail.example.com", smtp.Protocol, 25, false, false, ""},
		{"smtps://mail.example.com", smtp.Protocol, 465, true, false, ""},
		{"submission://mail.example.com", smtp.Protocol, 587, false, true, ""},
		{"submission://mail.example.com:2525", smtp.Protocol, 2525, false, true, ""},
		{"pop3://mail.example.com", pop3.Protocol, 110, false, false, ""},
		{"pop3s://mail.example.com", pop3.Protocol, 995, true, false, ""},
		{"pop3://vmc@mail.example.com", pop3.Protocol, 110, false, false, "vmc"},
		{"imap://mail.example.com", imap.Protocol, 143, false, false, ""},
		{"imaps://[::1]", imap.Protocol, 993, true, false, ""},
		{"raw://mail.example.com:4190", raw.Protocol, 4190, false, false, ""},
		{"rawtls://mail.example.com:443", raw.Protocol, 443, true, false, ""},
	} {
		got, err := All.ParseTarget(tc.url)
		if err != nil {
			t.Errorf("%s: %v", tc.url, err)
			continue
		}
		if got.Proto != tc.proto || got.Port != tc.port || got.ImplicitTLS != tc.implicit || got.StartTLS != tc.starttls || got.User != tc.user {
			t.Errorf("%s: %v port %d, implicit TLS %v, STARTTLS %v, user %q; want %v port %d, %v, %v, %q",
				tc.url, got.Proto, got.Port, got.ImplicitTLS, got.StartTLS, got.User, tc.proto, tc.port, tc.implicit, tc.starttls, tc.user)
		}
	}
	for _, u := range []string{"raw://mail.example.com", "rawtls://mail.example.com"} {
		if _, err := All.ParseTarget(u); err == nil || !strings.Contains(err.Error(), "has no default port") {
			t.Errorf("%s: err %v, want no default port", u, err)
		}
	}
}
