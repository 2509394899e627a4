package main

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tricklePOP3 serves one POP3 connection whose RETR body comes a line
// every gap, lines lines in all, then the final ".".
func tricklePOP3(t *testing.T, lines int, gap time.Duration) string {
	t.Helper()
	return fakePeer(t, "+OK trickle ready\r\n", func(c net.Conn, _ *bufio.Reader, line string) bool {
		switch strings.ToUpper(strings.TrimSpace(line)) {
		case "RETR 1":
			c.Write([]byte("+OK message follows\r\n"))
			for i := 1; i <= lines; i++ {
				time.Sleep(gap)
				fmt.Fprintf(c, "slow line %d\r\n", i)
			}
			c.Write([]byte(".\r\n"))
		case "QUIT":
			c.Write([]byte("+OK bye\r\n"))
			return false
		default:
			c.Write([]byte("-ERR not here\r\n"))
		}
		return true
	})
}

// --timeout counts silence: a RETR whose body keeps arriving, a line
// every 200 ms for well over the timeout, ends normally.
func TestTimeoutLongRetrFlows(t *testing.T) {
	t.Parallel()
	addr := tricklePOP3(t, 12, 200*time.Millisecond)
	start := time.Now()
	r := mailsh(t, "RETR 1\nQUIT\n", isolatedHome(t), "--timeout", "1s", "pop3://"+addr)
	r.must(t, 0, "S: +OK message follows", "S: slow line 1\n", "S: slow line 12\n", "S: +OK bye")
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("the body took %v, not longer than the timeout: the test proves nothing", d)
	}
}

// --timeout: a server silent for longer than the timeout ends the
// session with one line saying so and exit status 1.
func TestTimeoutSilentServer(t *testing.T) {
	t.Parallel()
	addr := hostile(t, "tcp", "127.0.0.1:0", "+OK silent\r\n", 20*time.Second)
	r := mailsh(t, "RETR 1\nQUIT\n", isolatedHome(t), "--timeout", "1s", "pop3://"+addr)
	r.must(t, 1, "S: +OK silent", "C: RETR 1")
	if r.stderr != "mailsh: timed out: no reply to RETR 1 within 1s\n" {
		t.Fatalf("stderr %q, want the timeout in one line", r.stderr)
	}
	if strings.Contains(r.stdout, "C: QUIT") {
		t.Errorf("QUIT was sent after the timeout:\n%s", r.stdout)
	}
}

// fullListener returns the address of a listener whose queue of
// connections is full, so that a further connect gets no answer.
func fullListener(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("relies on Linux dropping SYNs to a full accept queue")
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return addr // the queue is full
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the accept queue never filled")
	return ""
}

// --timeout bounds the connect too, with the README's words: "timed out
// after D", one line on stderr, exit status 1.
func TestTimeoutConnect(t *testing.T) {
	t.Parallel()
	addr := fullListener(t)
	r := mailsh(t, "QUIT\n", isolatedHome(t), "--timeout", "1s", "smtp://"+addr)
	r.must(t, 1)
	if want := "mailsh: cannot connect to " + addr + ": timed out after 1s\n"; r.stderr != want {
		t.Fatalf("stderr %q, want %q", r.stderr, want)
	}
}

// trickleIMAP serves one IMAP connection whose FETCH literal comes a line
// every gap, lines lines in all.
func trickleIMAP(t *testing.T, lines int, gap time.Duration) string {
	t.Helper()
	return fakePeer(t, "* PREAUTH trickle ready\r\n", func(c net.Conn, _ *bufio.Reader, line string) bool {
		tag, cmd, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch strings.ToUpper(cmd) {
		case "SELECT INBOX":
			fmt.Fprintf(c, "* 1 EXISTS\r\n%s OK [READ-WRITE] SELECT completed\r\n", tag)
		case "FETCH 1 BODY[]":
			fmt.Fprintf(c, "* 1 FETCH (BODY[] {%d}\r\n", lines*len("slow line 00\r\n"))
			for i := 1; i <= lines; i++ {
				time.Sleep(gap)
				fmt.Fprintf(c, "slow line %02d\r\n", i)
			}
			fmt.Fprintf(c, ")\r\n%s OK FETCH completed\r\n", tag)
		case "LOGOUT":
			fmt.Fprintf(c, "* BYE bye\r\n%s OK LOGOUT completed\r\n", tag)
			return false
		default:
			fmt.Fprintf(c, "%s BAD not here\r\n", tag)
		}
		return true
	})
}

// The same for an IMAP literal: a FETCH whose message keeps arriving, a
// line every 200 ms for well over the timeout, ends normally.
func TestTimeoutLongFetchFlows(t *testing.T) {
	t.Parallel()
	addr := trickleIMAP(t, 12, 200*time.Millisecond)
	start := time.Now()
	r := mailsh(t, "SELECT INBOX\nFETCH 1 BODY[]\nLOGOUT\n", isolatedHome(t), "--timeout", "1s", "imap://"+addr)
	r.must(t, 0, "S: slow line 01\n", "S: slow line 12\n", "S: a2 OK FETCH completed", "S: a3 OK LOGOUT completed")
	if d := time.Since(start); d < 2*time.Second {
		t.Fatalf("the literal took %v, not longer than the timeout: the test proves nothing", d)
	}
}
