package main

import (
	"net"
	"testing"
)

// -6 refuses an IPv4 address, as -4 refuses an IPv6 one (see
// TestAddressFamily), while -4 reaches it.
func TestAddressFamilyIPv4(t *testing.T) {
	t.Parallel()
	t.Run("-4 reaches it", func(t *testing.T) {
		t.Parallel()
		addr, _ := dialogServer(t, "220 v4\r\n", "221 bye\r\n")
		host, port, _ := net.SplitHostPort(addr)
		mailsh(t, "QUIT\n", isolatedHome(t), "-4", host, port).must(t, 0, "S: 220 v4", "S: 221 bye")
	})
	t.Run("-6 refuses it", func(t *testing.T) {
		t.Parallel()
		addr, _ := dialogServer(t, "220 v4\r\n", "221 bye\r\n")
		host, port, _ := net.SplitHostPort(addr)
		r := mailsh(t, "QUIT\n", isolatedHome(t), "-6", host, port)
		r.must(t, 1)
		if want := "mailsh: cannot connect to " + addr + ": no suitable address found\n"; r.stderr != want || r.stdout != "" {
			t.Fatalf("stdout %q, stderr %q; want only %q", r.stdout, r.stderr, want)
		}
	})
}
