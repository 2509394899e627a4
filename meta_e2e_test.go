package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailsh/mailsh/internal/peertest"
)

func TestDataFile(t *testing.T) {
	t.Parallel()
	srv := startFakeSMTP(t)
	msg := filepath.Join(t.TempDir(), "msg.eml")
	body := "Subject: from a file\n\n.hidden\nline two\n"
	os.WriteFile(msg, []byte(body), 0o644)
	r := mailsh(t, "EHLO me\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\n:data "+msg+"\nQUIT\n", nil, "smtp://"+srv.Addr)
	r.must(t, 0, "C: DATA", "S: 354", "* sent "+msg, "S: 250 2.0.0 queued")
	for _, want := range []string{"Subject: from a file", "", "..hidden", "line two", "."} {
		if !srv.received(want) {
			t.Errorf("server did not get %q:\n%s", want, srv.all())
		}
	}
	// The file's text is not echoed line by line.
	if strings.Contains(r.stdout, "C: ..hidden") {
		t.Error("message text from a file echoed")
	}
	// BDAT needs CHUNKING.
	r = mailsh(t, "EHLO me\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\n:data "+msg+" --bdat\n", nil, "smtp://"+srv.Addr)
	r.must(t, 1, "does not advertise CHUNKING")
	// Out of sequence.
	mailsh(t, "EHLO me\n:data "+msg+"\n", nil, "smtp://"+srv.Addr).must(t, 1, "after an accepted RCPT")
	mailsh(t, "EHLO me\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\n:data /nonexistent/file\n", nil, "smtp://"+srv.Addr).must(t, 1, "no such file")
}

func TestTLSMeta(t *testing.T) {
	t.Parallel()
	srv := peertest.StartAiosmtpd(t)
	r := mailsh(t, "EHLO me\n:starttls\n:tls\n:state\nQUIT\n", nil, "--cafile", srv.Cert.CAFile, "smtp://"+srv.Addr)
	r.must(t, 0, "C: STARTTLS", "protocol: TLS 1.3", "certificate chain (verified)", "subject: CN=localhost", "issuer:  CN=mailsh test CA", "sha256:", "names:   localhost, 127.0.0.1, ::1", "TLS:      yes",
		"server name sent: none (the host is an address, which TLS does not send)")
	// By name, the name is sent (SNI).
	_, port, _ := net.SplitHostPort(srv.Addr)
	r = mailsh(t, "EHLO me\n:starttls\n:tls\nQUIT\n", nil, "--cafile", srv.Cert.CAFile, "smtp://localhost:"+port)
	r.must(t, 0, "protocol: TLS 1.3", "server name sent: localhost\n")
}
