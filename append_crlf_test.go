package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// appendServer is an IMAP server on 127.0.0.1 that takes LOGIN and one
// APPEND, and gives the APPEND line and the literal's octets as it got
// them.
func appendServer(t *testing.T) (addr string, got <-chan [2]string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ch := make(chan [2]string, 1)
	literalRE := regexp.MustCompile(`^(\S+) APPEND .* \{(\d+)\}\r\n$`)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		br := bufio.NewReader(c)
		io.WriteString(c, "* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			tag, rest, _ := strings.Cut(line, " ")
			switch {
			case literalRE.MatchString(line):
				m := literalRE.FindStringSubmatch(line)
				n, _ := strconv.Atoi(m[2])
				io.WriteString(c, "+ go ahead\r\n")
				body := make([]byte, n)
				if _, err := io.ReadFull(br, body); err != nil {
					return
				}
				br.ReadString('\n') // the end of the command
				ch <- [2]string{line, string(body)}
				fmt.Fprintf(c, "%s OK APPEND completed\r\n", m[1])
			case strings.HasPrefix(rest, "LOGOUT"):
				fmt.Fprintf(c, "* BYE bye\r\n%s OK LOGOUT completed\r\n", tag)
				return
			default:
				fmt.Fprintf(c, "%s OK done\r\n", tag)
			}
		}
	}()
	return l.Addr().String(), ch
}

// :append sends a file whose lines end in LF as a literal with CRLF line
// endings, counted as sent, with the flags given.
func TestAppendMakesCRLF(t *testing.T) {
	t.Parallel()
	addr, got := appendServer(t)
	file := filepath.Join(t.TempDir(), "note.eml")
	os.WriteFile(file, []byte("Subject: lf only\n\nfirst\nsecond\r\nthird"), 0o600)
	r := mailsh(t, "a1 LOGIN demo secret\n:append INBOX "+file+" \\Seen Flagged\nLOGOUT\n", isolatedHome(t), "imap://"+addr)
	r.must(t, 0, "S: a2 OK APPEND completed")
	select {
	case g := <-got:
		want := "Subject: lf only\r\n\r\nfirst\r\nsecond\r\nthird"
		if g[1] != want {
			t.Errorf("the literal was %q, want %q", g[1], want)
		}
		if wantLine := fmt.Sprintf("a2 APPEND INBOX (\\Seen \\Flagged) {%d}\r\n", len(want)); g[0] != wantLine {
			t.Errorf("the command was %q, want %q", g[0], wantLine)
		}
	default:
		t.Fatalf("the server got no APPEND:\n%s", r.stdout)
	}
}
