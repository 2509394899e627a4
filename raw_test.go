package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startLineServer serves each connection with a greeting line (if any),
// then answers every line with "echo: " and the line, and closes after
// "bye".
func startLineServer(t *testing.T, greeting string) string {
	t.Helper()
	if greeting != "" {
		greeting += "\r\n"
	}
	return fakePeer(t, greeting, func(c net.Conn, _ *bufio.Reader, line string) bool {
		fmt.Fprintf(c, "echo: %s\r\n", line)
		return line != "bye"
	})
}

// raw://: an HTTP server, which says nothing until asked, answered line by
// line as in telnet, blank line included; the transcript replays.
func TestRawHTTP(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello \x1b[31mred\x1b[0m\n")
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	tr := filepath.Join(t.TempDir(), "http.txt")
	r := mailsh(t, "GET / HTTP/1.0\r\nHost: x\r\n\r\n", nil, "-t", tr, "raw://"+l.Addr().String())
	r.must(t, 0, "C: GET / HTTP/1.0", "C: \n", "S: HTTP/1.0 200 OK", `S: hello \x1b[31mred\x1b[0m`)
	if strings.Contains(r.stdout, "\x1b[31m") {
		t.Error("an escape sequence from the server reached the output raw")
	}
	r = mailsh(t, "", nil, "replay", tr)
	r.must(t, 0, "all 4 steps match", "HTTP/1.0 200 OK")
}

// The telnet form with a greeting that is neither SMTP nor POP3 goes on in
// raw line mode, and says so, rather than failing.
func TestRawFallback(t *testing.T) {
	t.Parallel()
	addr := startLineServer(t, "SSH-2.0-OpenSSH_9.2p1")
	host, port, _ := net.SplitHostPort(addr)
	r := mailsh(t, "hello\n", nil, host, port)
	r.must(t, 0, "S: SSH-2.0-OpenSSH_9.2p1", "raw line mode", "C: hello", "S: echo: hello")
	// raw:// needs a port; --starttls means nothing there.
	mailsh(t, "", nil, "raw://127.0.0.1").must(t, 2, "has no default port")
	mailsh(t, "", nil, "--starttls", "raw://"+addr).must(t, 2, "--starttls means nothing for raw://")
}

// At a terminal: the prompt says raw, TAB offers mailsh's own commands,
// a typed line is answered as it arrives, :starttls is refused.
func TestRawAtTerminal(t *testing.T) {
	t.Parallel()
	addr := startLineServer(t, "")
	state := t.TempDir()
	tt := startTTY(t, []string{"XDG_STATE_HOME=" + state}, "raw://"+addr)
	tt.waitPrompt("raw 127.0.0.1 raw>")
	tt.send("\t")
	tt.waitUntil("the meta-commands", func(string) bool { return strings.Contains(tt.screen(), "  :connect") })
	tt.command("hello there", "echo: hello there", "raw>")
	tt.command(":starttls", "raw has no STARTTLS", "raw>")
	// The server closes on its own: the prompt says so at once.
	tt.command("bye", "connection closed by server", "(not connected)>")
	tt.send("\x04")
	if code := tt.wait(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	hist, err := os.ReadFile(filepath.Join(state, "mailsh", "history"))
	if err != nil || !strings.Contains(string(hist), "hello there") {
		t.Errorf("history: %q, %v", hist, err)
	}
}
