package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mailsh/mailsh/loopback"
)

// served is a "mailsh serve" process started by a test.
type served struct {
	cmd                      *exec.Cmd
	smtp, pop3, smtps, pop3s string
	imap, imaps              string
	password                 string // the demo account's, if it was printed
	certFile, fingerprint    string
	stdout                   string
	stderr                   *lockedBuffer
	exited                   chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	listenRE = regexp.MustCompile(`\b(smtp|pop3|smtps|pop3s|imap|imaps)://([^\s,]+)`)
	demoRE   = regexp.MustCompile(`demo account: user demo, password (\S+),`)
	certRE   = regexp.MustCompile(`TLS certificate \(\S+, (.+)\), SHA-256`)
	fpRE     = regexp.MustCompile(`^mailsh serve:   ([0-9A-F:]{95})$`)
)

// startServe runs the mailsh binary as "mailsh serve" with free ports
// (unless args say otherwise) and reads what it prints at start-up. It is
// killed when the test ends, if it is still running.
func startServe(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	all := append([]string{"serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--smtps", "127.0.0.1:0", "--pop3s", "127.0.0.1:0", "--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0"}, args...)
	cmd := exec.Command(mailshBin, all...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("mailsh serve stdout:\n%s\nstderr:\n%s", s.stdout, s.stderr.String())
		}
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("mailsh serve ended before it was ready:\n%s\n%s", s.stdout, s.stderr.String())
			}
			s.stdout += l + "\n"
			for _, m := range listenRE.FindAllStringSubmatch(l, -1) {
				switch m[1] {
				case "smtp":
					s.smtp = m[2]
				case "pop3":
					s.pop3 = m[2]
				case "smtps":
					s.smtps = m[2]
				case "pop3s":
					s.pop3s = m[2]
				case "imap":
					s.imap = m[2]
				case "imaps":
					s.imaps = m[2]
				}
			}
			if m := demoRE.FindStringSubmatch(l); m != nil {
				s.password = m[1]
			}
			if m := certRE.FindStringSubmatch(l); m != nil {
				s.certFile = m[1]
			}
			if m := fpRE.FindStringSubmatch(l); m != nil {
				s.fingerprint = m[1]
			}
			if strings.Contains(l, "Ctrl-C stops") {
				// Keep draining stdout so that the server never blocks.
				go func() {
					for range lines {
					}
				}()
				return s
			}
		case <-timeout:
			t.Fatalf("mailsh serve not ready after 30s:\n%s\n%s", s.stdout, s.stderr.String())
		}
	}
}

// stop sends SIGTERM and returns the exit status.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	return s.exitCode(t)
}

// serve --help documents every flag, and the fault syntax with examples.
func TestServeHelp(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := runServe([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	help := out.String()
	serveFlags(&serveOptions{}).VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if !strings.Contains(help, dash+f.Name) {
			t.Errorf("--help does not mention %s%s", dash, f.Name)
		}
	})
	for _, want := range []string{"127.0.0.1:2525", "127.0.0.1:1110", "XDG_DATA_HOME", "POINT[#N][~PATTERN]:ACTION", "--fault 'rcpt#3:452'", "--fault pop3.busy", "greylist", "SHA-256"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
	// mailsh --help points to it.
	if !strings.Contains(usage, "mailsh serve") {
		t.Error("mailsh --help does not mention mailsh serve")
	}
}

func TestServeUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--user", "nopassword"}, "bad --user: give an account as NAME:PASSWORD"},
		{[]string{"--user", "a/b:pw"}, `bad account name "a/b"`},
		{[]string{"--fault", "rcpt#x:452"}, `bad --fault "rcpt#x:452": after # comes a count`},
		{[]string{"--max-size", "lots"}, "give a size such as 32M"},
		{[]string{"--cert", "c.pem"}, "give both --cert and --key, or neither"},
		{[]string{"--smtp", "off", "--pop3", "off", "--imap", "off"}, "every listener is off"},
		{[]string{"--domain", "a b"}, `bad --domain "a b"`},
		{[]string{"--max-line-length", "10"}, "--max-line-length at least 80"},
		{[]string{"--user", "a:1", "--catch-all", "b"}, "--catch-all b: no such account"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := runServe(tt.args, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tt.msg) || !strings.Contains(errb.String(), "hint: mailsh serve --help") {
			t.Errorf("serve %v: exit %d, stderr %q; want 2 and %q", tt.args, code, errb.String(), tt.msg)
		}
	}
}

// A port in use: one line saying so, exit status 1.
func TestServePortInUse(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := mailsh(t, "", []string{"XDG_DATA_HOME=" + t.TempDir()}, "serve", "--smtp", l.Addr().String(), "--pop3", "off")
	r.must(t, 1, "mailsh serve: cannot listen: listen tcp "+l.Addr().String()+": bind: address already in use",
		"hint: is another mailsh serve running?")
}

// mailsh serve end to end: mailsh itself sends over STARTTLS with AUTH,
// trusting the printed certificate, and reads back over POP3S; the log
// shows the sessions but never the password; SIGTERM stops it with exit
// status 0; a restart keeps the certificate and the demo password.
func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	xdg := []string{"XDG_DATA_HOME=" + t.TempDir()}
	s := startServe(t, xdg)
	if s.smtp == "" || s.pop3 == "" || s.smtps == "" || s.pop3s == "" || s.password == "" || s.certFile == "" {
		t.Fatalf("start-up output incomplete:\n%s", s.stdout)
	}
	pemBytes, err := os.ReadFile(s.certFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	sum := sha256.Sum256(block.Bytes)
	if fp := strings.ReplaceAll(fmt.Sprintf("% X", sum[:]), " ", ":"); fp != s.fingerprint {
		t.Errorf("printed fingerprint %s, the certificate's is %s", s.fingerprint, fp)
	}
	pw := []string{"MAILSH_PASSWORD=" + s.password}
	send := "EHLO me\n:auth PLAIN demo\nMAIL FROM:<vmc@localhost>\nRCPT TO:<demo@localhost>\nDATA\nSubject: via serve\n\nTeste do mail\n.\nQUIT\n"
	mailsh(t, send, pw, "--starttls", "--cafile", s.certFile, "smtp://"+s.smtp).
		must(t, 0, "* TLS started", "S: 235 2.7.0 Authentication succeeded", "S: 250 2.0.0 ")
	mailsh(t, ":auth APOP demo\nRETR 1\nQUIT\n", pw, "--cafile", s.certFile, "pop3s://"+s.pop3s).
		must(t, 0, "S: +OK Logged in as demo: 1 messages", "S: Subject: via serve", "S: Teste do mail", "with ESMTPSA id")
	if code := s.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	log := s.stderr.String()
	for _, want := range []string{"smtp#", "AUTH PLAIN: logged in as demo", "delivered ", "APOP: logged in as demo", "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, s.password) || strings.Contains(log, "AGRlbW8A") {
		t.Errorf("log shows a secret:\n%s", log)
	}
	again := startServe(t, xdg)
	if again.fingerprint != s.fingerprint || again.password != s.password {
		t.Errorf("restart changed the certificate or the demo password")
	}
	mailsh(t, "USER demo\nPASS\nSTAT\nQUIT\n", pw, "--cafile", again.certFile, "--starttls", "pop3://"+again.pop3).
		must(t, 0, "* TLS started", "S: +OK 1 ")
	again.stop(t)
	if _, err := os.Stat(filepath.Join(strings.TrimPrefix(xdg[0], "XDG_DATA_HOME="), "mailsh", "Maildir", "demo", "new")); err != nil {
		t.Errorf("no Maildir in the data directory: %v", err)
	}
}

// Every example in faultHelp parses, and together they show every kind of
// rule.
func TestFaultHelpExamples(t *testing.T) {
	_, examples, _ := strings.Cut(faultHelp, "Examples, one per rule:\n")
	var specs []string
	for _, l := range strings.Split(strings.TrimSpace(examples), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "--fault" {
			t.Fatalf("bad example line %q", l)
		}
		spec := f[1]
		if strings.HasPrefix(spec, "'") {
			spec = l[strings.Index(l, "'")+1:]
			spec = spec[:strings.Index(spec, "'")]
		}
		if _, err := loopback.ParseFaults([]string{spec}, faultDialects...); err != nil {
			t.Errorf("example %q: %v", spec, err)
		}
		specs = append(specs, spec)
	}
	all := strings.Join(specs, " ")
	for _, kind := range []string{"connect:554", "#", "~", ":450", ":451", ":452", ":550", "delay=", "dot:drop", "greylist", "maxconn=", "ext=", "pop3.retr:-ERR", "pop3.busy", "pop3.any:delay"} {
		if !strings.Contains(all, kind) {
			t.Errorf("no example shows %q", kind)
		}
	}
}
