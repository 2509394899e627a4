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
)

// appendServer is an IMAP server on 127.0.0.1 that takes LOGIN and one
// APPEND, and gives the APPEND line and the literal's octets as it got
// them.
func appendServer(t *testing.T) (addr string, got <-chan [2]string) {
	t.Helper()
	ch := make(chan [2]string, 1)
	literalRE := regexp.MustCompile(`^(\S+) APPEND .* \{(\d+)\}$`)
	addr = fakePeer(t, "* OK [CAPABILITY IMAP4rev1] fake ready\r\n", func(c net.Conn, br *bufio.Reader, line string) bool {
		tag, rest, _ := strings.Cut(line, " ")
		switch {
		case literalRE.MatchString(line):
			m := literalRE.FindStringSubmatch(line)
			n, _ := strconv.Atoi(m[2])
			io.WriteString(c, "+ go ahead\r\n")
			body := make([]byte, n)
			if _, err := io.ReadFull(br, body); err != nil {
				return false
			}
			br.ReadString('\n') // the end of the command
			ch <- [2]string{line + "\r\n", string(body)}
			fmt.Fprintf(c, "%s OK APPEND completed\r\n", m[1])
		case strings.HasPrefix(rest, "LOGOUT"):
			fmt.Fprintf(c, "* BYE bye\r\n%s OK LOGOUT completed\r\n", tag)
			return false
		default:
			fmt.Fprintf(c, "%s OK done\r\n", tag)
		}
		return true
	})
	return addr, ch
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
