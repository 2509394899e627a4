package main

import (
	"bufio"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
)

// plainIMAP is an IMAP server on 127.0.0.1 that advertises no extension:
// it answers LOGIN and SELECT, and OK to the rest.
func plainIMAP(t *testing.T) string {
	t.Helper()
	return fakePeer(t, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plain server ready\r\n", func(c net.Conn, _ *bufio.Reader, line string) bool {
		tag, rest, _ := strings.Cut(line, " ")
		verb, _, _ := strings.Cut(strings.ToUpper(rest), " ")
		switch verb {
		case "LOGIN":
			fmt.Fprintf(c, "%s OK [CAPABILITY IMAP4rev1] logged in\r\n", tag)
		case "SELECT":
			fmt.Fprintf(c, "* 2 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n%s OK [READ-WRITE] selected\r\n", tag)
		case "LOGOUT":
			fmt.Fprintf(c, "* BYE bye\r\n%s OK done\r\n", tag)
			return false
		default:
			fmt.Fprintf(c, "%s OK done\r\n", tag)
		}
		return true
	})
}

// tabList presses TAB on the empty line at prompt and gives the list.
func (tt *tty) tabList(prompt string) []string {
	tt.t.Helper()
	tt.send("\t")
	tt.waitUntil("a list above "+prompt, func(string) bool {
		return strings.HasSuffix(tt.lastLine(), prompt) && len(tt.listed()) > 0
	})
	return tt.listed()
}

// IDLE, MOVE, UNSELECT, NAMESPACE, ENABLE and ID are offered only when
// the server advertises them; the base commands always.
func TestKeysIMAPCommandsByCapability(t *testing.T) {
	t.Parallel()
	extensions := []string{"IDLE", "MOVE", "UNSELECT", "NAMESPACE", "ENABLE"}
	base := []string{"CAPABILITY", "CLOSE", "COPY", "EXPUNGE", "FETCH", "LOGOUT", "NOOP", "SEARCH", "STORE", "UID"}

	t.Run("without", func(t *testing.T) {
		t.Parallel()
		tt := startTTY(t, isolatedHome(t), "imap://"+plainIMAP(t))
		tt.waitPrompt("login a1>")
		if got := tt.tabList("login a1>"); slices.Contains(got, "ID") {
			t.Errorf("ID offered by a server without it: %v", got)
		}
		tt.send("\x15")
		tt.typeSecret("login a1>", "LOGIN demo pw", len("LOGIN demo "))
		tt.command("", "a1 OK", "auth a2>")
		tt.command("SELECT INBOX", "a2 OK", "a3>")
		got := tt.tabList("a3>")
		for _, c := range extensions {
			if slices.Contains(got, c) {
				t.Errorf("%s offered by a server that does not advertise it: %v", c, got)
			}
		}
		for _, c := range base {
			if !slices.Contains(got, c) {
				t.Errorf("%s not offered: %v", c, got)
			}
		}
	})

	t.Run("with", func(t *testing.T) {
		t.Parallel()
		tt, _ := startBuiltin(t, "caps-Pw5")
		tt.command(":connect imap", "IMAP server ready", "login a1>")
		tt.typeSecret("login a1>", "LOGIN demo caps-Pw5", len("LOGIN demo "))
		tt.command("", "a1 OK", "auth a2>")
		tt.command("SELECT INBOX", "a2 OK", "a3>")
		got := tt.tabList("a3>")
		for _, c := range append(extensions, base...) {
			if !slices.Contains(got, c) {
				t.Errorf("%s not offered by a server that advertises it: %v", c, got)
			}
		}
	})
}
