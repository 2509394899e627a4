package main

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailsh/mailsh/internal/peertest"
)

// tlsGreeter accepts TLS connections on 127.0.0.1 and greets like SMTP.
func tlsGreeter(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return servePeer(t, l, "220 test ESMTP\r\n", func(c net.Conn, _ *bufio.Reader, line string) bool {
		if strings.HasPrefix(strings.ToUpper(line), "QUIT") {
			c.Write([]byte("221 bye\r\n"))
			return false
		}
		c.Write([]byte("250 ok\r\n"))
		return true
	})
}

// TLS failures say why, in one line.
func TestTLSFailureReasons(t *testing.T) {
	t.Parallel()
	good := peertest.NewCert(t, 24*time.Hour)
	expired := peertest.NewCert(t, -time.Hour)
	addrGood := tlsGreeter(t, good.ServerTLS())
	addrExpired := tlsGreeter(t, expired.ServerTLS())
	other := peertest.NewCertFor(t, "mail.example.org")
	addrOther := tlsGreeter(t, other.ServerTLS())

	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown authority", []string{"smtps://" + addrGood}, 1, "unknown authority"},
		{"expired", []string{"--cafile", expired.CAFile, "smtps://" + addrExpired}, 1, "certificate expired on"},
		{"wrong name", []string{"--cafile", other.CAFile, "smtps://" + addrOther}, 1, "wrong name: certificate is for mail.example.org, not 127.0.0.1"},
		{"trusted", []string{"--cafile", good.CAFile, "smtps://" + addrGood}, 0, "TLS started: TLS 1.3"},
		{"insecure", []string{"--insecure", "smtps://" + addrExpired}, 0, "S: 221 bye"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mailsh(t, "QUIT\n", nil, tt.args...)
			r.must(t, tt.code, tt.msg)
			if tt.code != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("not one line: %q", r.stderr)
			}
		})
	}
}
