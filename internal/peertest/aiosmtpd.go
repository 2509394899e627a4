package peertest

import (
	"os"
	"strings"
	"testing"
)

// SMTPServer is a real SMTP server (Python's aiosmtpd, from Debian's
// python3-aiosmtpd) that accepts any message and prints it.
type SMTPServer struct {
	Addr      string // plain SMTP, with STARTTLS
	SMTPSAddr string // implicit TLS
	Cert      *Cert
	proc      *Process
	smtps     *Process
}

// Output returns what the server printed: each message received between
// "---------- MESSAGE FOLLOWS ----------" and "------------ END MESSAGE ------------".
func (s *SMTPServer) Output() string { return s.proc.Output() + s.smtps.Output() }

// Messages returns the message bodies the server printed, in order.
func (s *SMTPServer) Messages() []string {
	var msgs []string
	for _, chunk := range strings.Split(s.Output(), "---------- MESSAGE FOLLOWS ----------\n")[1:] {
		body, _, _ := strings.Cut(chunk, "------------ END MESSAGE ------------")
		msgs = append(msgs, body)
	}
	return msgs
}

// StartAiosmtpd starts aiosmtpd twice: on one port with STARTTLS offered,
// on another with implicit TLS, both with the test certificate.
func StartAiosmtpd(t testing.TB) *SMTPServer {
	t.Helper()
	py := Need(t, "python3 with aiosmtpd", "/usr/bin/python3")
	if _, err := os.Stat("/usr/lib/python3/dist-packages/aiosmtpd"); err != nil {
		Missing(t, "python3-aiosmtpd is not installed")
	}
	cert := NewCert(t, 24*3600e9)
	s := &SMTPServer{Addr: FreeAddr(t), SMTPSAddr: FreeAddr(t), Cert: cert}
	// aiosmtpd's Debugging handler prints each message to stdout.
	env := []string{"PYTHONUNBUFFERED=1"}
	s.proc = StartEnv(t, env, py, "-m", "aiosmtpd", "-n", "-u", "-l", s.Addr, "--tlscert", cert.CertFile, "--tlskey", cert.KeyFile, "--no-requiretls")
	s.smtps = StartEnv(t, env, py, "-m", "aiosmtpd", "-n", "-u", "-l", s.SMTPSAddr, "--smtpscert", cert.CertFile, "--smtpskey", cert.KeyFile)
	WaitListening(t, s.Addr, s.proc)
	WaitListening(t, s.SMTPSAddr, s.smtps)
	return s
}
