package peertest

import (
	"os"
	"testing"
)

// StartSmtpSink starts Postfix's smtp-sink, a minimal real SMTP server
// that accepts and discards mail, on a free port.
func StartSmtpSink(t testing.TB, extra ...string) (addr string, p *Process) {
	t.Helper()
	bin := Need(t, "smtp-sink (postfix)", "smtp-sink", "/usr/sbin/smtp-sink")
	addr = FreeAddr(t)
	// 10 is the listen backlog. As root it must drop privileges (-u).
	args := append([]string{}, extra...)
	if os.Getuid() == 0 {
		args = append(args, "-u", "nobody")
	}
	args = append(args, addr, "10")
	p = Start(t, bin, args...)
	WaitListening(t, addr, p)
	return addr, p
}
