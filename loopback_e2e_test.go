package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/mailsh/mailsh/internal/peertest"
	"github.com/mailsh/mailsh/proto"
)

// mailsh with no arguments: the built-in server starts, the session sends
// the lecture's bare message, STARTTLS works without --insecure, and
// ":connect pop3" reads the message back with the demo account.
func TestEmbeddedServer(t *testing.T) {
	t.Parallel()
	xdg := t.TempDir()
	// The demo password is kept in the data directory: choose it.
	os.MkdirAll(filepath.Join(xdg, "mailsh"), 0o700)
	os.WriteFile(filepath.Join(xdg, "mailsh", "demo-password"), []byte("teste123\n"), 0o600)
	script := `helo mail
mail from: <antunes@ipleiria.pt>
rcpt to: <demo@localhost>
data
Teste do mail
.
:starttls
EHLO again
:connect pop3
:auth
LIST
RETR 1
QUIT
`
	r := mailsh(t, script, []string{"XDG_DATA_HOME=" + xdg, "MAILSH_PASSWORD=teste123"})
	r.must(t, 0,
		"mailsh: built-in mail server: smtp://127.0.0.1:", "account demo, password teste123, address demo@localhost",
		"S: 220 localhost ESMTP mailsh loopback server ready",
		"S: 250 2.0.0 ", "* TLS started: TLS 1.3",
		"S: +OK localhost mailsh POP3 loopback server ready <",
		"C: USER demo", "C: PASS [redacted]", "S: +OK Logged in as demo: 1 messages",
		"S: Return-Path: <antunes@ipleiria.pt>", "S: Delivered-To: demo@localhost",
		"S: Received: from mail (localhost [127.0.0.1])", "by localhost (mailsh) with SMTP id ",
		"S: Message-ID: <", "S: \nS: Teste do mail\nS: .\n")
	if strings.Contains(r.stdout, "teste123") {
		t.Error("the session printed the password")
	}
	files, _ := filepath.Glob(filepath.Join(xdg, "mailsh", "Maildir", "demo", "new", "*"))
	if len(files) != 1 {
		t.Errorf("%d messages in the data directory's Maildir, want 1", len(files))
	}
}

// Without a writable data directory the built-in server keeps the
// session's mail in a temporary directory, and still works.
func TestEmbeddedServerWithoutDataDir(t *testing.T) {
	t.Parallel()
	notADir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notADir, nil, 0o600)
	r := mailsh(t, "EHLO me\nMAIL FROM:<a@b.example>\nRCPT TO:<demo@localhost>\nDATA\nhello\n.\nQUIT\n", []string{"XDG_DATA_HOME=" + notADir})
	r.must(t, 0, "mail is kept in "+os.TempDir(), "S: 250 2.0.0 ")
	m := regexp.MustCompile(`mail is kept in (\S+)`).FindStringSubmatch(r.stderr)
	if m != nil {
		if _, err := os.Stat(m[1]); err == nil {
			t.Errorf("the temporary Maildir %s is left behind", m[1])
		}
	}
}

// testMessages are the messages the interoperability test sends: a line
// starting with "." (and one holding only "."), 8-bit UTF-8 text, a
// multipart message with a base64 attachment, and one of 20 MB.
func testMessages(t *testing.T, dir string) map[string][]byte {
	rng := rand.New(rand.NewSource(1))
	head := func(name, extra string) string {
		return "From: Tester <tester@localhost>\r\nTo: readers@localhost\r\nSubject: " + name +
			"\r\nDate: Thu, 12 Dec 2002 20:13:17 +0000\r\nMessage-ID: <" + name + "@mailsh.test>\r\nMIME-Version: 1.0\r\n" + extra
	}
	b64 := func(n int) string {
		data := make([]byte, n)
		rng.Read(data)
		enc := base64.StdEncoding.EncodeToString(data)
		var b strings.Builder
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
		return b.String()
	}
	msgs := map[string][]byte{
		"dots": []byte(head("dots", "Content-Type: text/plain\r\n") + "\r\n.leading dot\r\n..two dots\r\n.\r\nthe line above held only a dot\r\n"),
		"utf8": []byte(head("utf8", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n") +
			"\r\nOlá, João! Ação, coração, pão — ünïcödé ✓ 日本語のテキスト\r\n"),
		"multipart": []byte(head("multipart", "Content-Type: multipart/mixed; boundary=\"=_sep\"\r\n") +
			"\r\n--=_sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment.\r\n" +
			"--=_sep\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n" +
			"Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\n" + b64(30000) + "--=_sep--\r\n"),
		"big": []byte(head("big", "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n") + "\r\n" + b64(15<<20)),
	}
	for name, m := range msgs {
		if err := os.WriteFile(filepath.Join(dir, name+".eml"), m, 0o644); err != nil {
			t.Fatal(err)
		}
		// swaks ends the data with CRLF itself: give it the text without
		// its final line ending.
		if err := os.WriteFile(filepath.Join(dir, name+".swaks"), bytes.TrimSuffix(m, []byte("\r\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(msgs["big"]); n < 20<<20 {
		t.Fatalf("the big message has %d octets", n)
	}
	return msgs
}

// readers are the accounts of the programs that read the mail back; each
// message goes to all four.
var readers = []string{"curl", "poplib", "mpop", "fetchmail"}

// Real clients interoperate: swaks, curl, Python's smtplib and msmtp send
// (in clear, with AUTH in clear as the lecture does, and over STARTTLS
// with AUTH); curl, Python's poplib (USER/PASS, APOP, STLS), mpop and
// fetchmail read back; every message comes back byte for byte, under the
// trace fields.
func TestLoopbackRealClients(t *testing.T) {
	t.Parallel()
	swaks := peertest.Need(t, "swaks")
	curl := peertest.Need(t, "curl")
	msmtp := peertest.Need(t, "msmtp")
	mpop := peertest.Need(t, "mpop")
	fetchmail := peertest.Need(t, "fetchmail")
	python := peertest.Need(t, "python3", "/usr/bin/python3")
	dir := t.TempDir()
	msgs := testMessages(t, dir)
	args := []string{"--user", "sender:s3nd"}
	for _, r := range readers {
		args = append(args, "--user", r+":"+r+"-pw")
	}
	s := startServe(t, []string{"XDG_DATA_HOME=" + dir}, args...)
	host, port, _ := net.SplitHostPort(s.smtp)
	_, pop3Port, _ := net.SplitHostPort(s.pop3)
	var rcpts []string
	for _, r := range readers {
		rcpts = append(rcpts, r+"@localhost")
	}
	run := func(t *testing.T, name string, stdin io.Reader, prog string, args ...string) {
		t.Helper()
		cmd := exec.Command(prog, args...)
		cmd.Stdin = stdin
		cmd.Env = append(os.Environ(), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}

	// Each sender sends in three ways; the envelope sender names the way.
	// The senders run at once, each in its own subtest.
	senders, modes := []string{"swaks", "curl", "smtplib", "msmtp"}, []string{"plain", "auth", "starttls"}
	namesFor := func(mode string) []string {
		if mode == "starttls" {
			return []string{"dots", "utf8", "multipart", "big"}
		}
		return []string{"dots", "utf8", "multipart"}
	}
	sendAll := func(t *testing.T, sender string) {
		for _, mode := range modes {
			from := sender + "-" + mode + "@senders.example"
			for _, name := range namesFor(mode) {
				file := filepath.Join(dir, name+".eml")
				what := from + " " + name
				switch sender {
				case "swaks":
					a := []string{"--server", s.smtp, "--from", from, "--to", strings.Join(rcpts, ","), "--data", "@" + filepath.Join(dir, name+".swaks"), "--silent", "2"}
					if mode != "plain" {
						a = append(a, "--auth", "PLAIN", "--auth-user", "sender", "--auth-password", "s3nd")
					}
					if mode == "starttls" {
						a = append(a, "--tls", "--tls-verify", "--tls-ca-path", s.certFile)
					}
					run(t, what, nil, swaks, a...)
				case "curl":
					a := []string{"-sS", "--url", "smtp://" + s.smtp, "--mail-from", from, "--upload-file", file}
					for _, r := range rcpts {
						a = append(a, "--mail-rcpt", r)
					}
					if mode != "plain" {
						a = append(a, "--user", "sender:s3nd")
					}
					if mode == "starttls" {
						a = append(a, "--ssl-reqd", "--cacert", s.certFile)
					}
					run(t, what, nil, curl, a...)
				case "smtplib":
					script := `import smtplib, ssl, sys
host, port, mode, cafile, sender, path = sys.argv[1:7]
s = smtplib.SMTP(host, int(port))
if mode == "starttls":
    s.starttls(context=ssl.create_default_context(cafile=cafile))
if mode != "plain":
    s.login("sender", "s3nd")
refused = s.sendmail(sender, sys.argv[7:], open(path, "rb").read())
assert not refused, refused
s.quit()
`
					run(t, what, nil, python, append([]string{"-c", script, host, port, mode, s.certFile, from, file}, rcpts...)...)
				case "msmtp":
					f, err := os.Open(file)
					if err != nil {
						t.Fatal(err)
					}
					a := []string{"--file=/dev/null", "--host=" + host, "--port=" + port, "--from=" + from, "--tls=off", "--auth=off"}
					if mode != "plain" {
						a = append(a, "--auth=plain", "--user=sender", "--passwordeval=echo s3nd")
					}
					if mode == "starttls" {
						a = append(a, "--tls=on", "--tls-starttls=on", "--tls-trust-file="+s.certFile)
					}
					run(t, what, f, msmtp, append(a, rcpts...)...)
					f.Close()
				}
			}
		}
	}
	want := 0
	for range senders {
		for _, mode := range modes {
			want += len(namesFor(mode))
		}
	}
	if !t.Run("send", func(t *testing.T) {
		for _, sender := range senders {
			t.Run(sender, func(t *testing.T) {
				t.Parallel()
				sendAll(t, sender)
			})
		}
	}) {
		t.FailNow()
	}

	// The readers read at once, each its own mailbox.
	var mu sync.Mutex
	got := map[string][]retrieved{}
	keep := func(reader string, r []retrieved) {
		mu.Lock()
		defer mu.Unlock()
		got[reader] = r
	}
	t.Run("read", func(t *testing.T) {
		// curl: one message per run, by number; in clear and over STLS.
		t.Run("curl", func(t *testing.T) {
			t.Parallel()
			var list []retrieved
			for i := 1; i <= want; i++ {
				a := []string{"-sS", fmt.Sprintf("pop3://%s/%d", s.pop3, i), "--user", "curl:curl-pw"}
				if i%2 == 0 {
					a = append(a, "--ssl-reqd", "--cacert", s.certFile)
				}
				out, err := exec.Command(curl, a...).Output()
				if err != nil {
					t.Fatalf("curl RETR %d: %v", i, err)
				}
				list = append(list, retrieved{fmt.Sprintf("message %d", i), out})
			}
			keep("curl", list)
		})
		// poplib: USER/PASS in clear, APOP, and STLS with USER/PASS, each
		// session reading a third of the messages.
		t.Run("poplib", func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, "poplib")
			os.Mkdir(out, 0o755)
			script := `import poplib, ssl, sys, os
host, port, cafile, out, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
for k, how in enumerate(["user", "apop", "stls"]):
    p = poplib.POP3(host, port)
    if how == "stls":
        p.stls(context=ssl.create_default_context(cafile=cafile))
    if how == "apop":
        p.apop("poplib", "poplib-pw")
    else:
        p.user("poplib")
        p.pass_("poplib-pw")
    count, _ = p.stat()
    assert count == n, (count, n)
    for i in range(1, n + 1):
        if i % 3 == k:
            _, lines, _ = p.retr(i)
            with open(os.path.join(out, "%d" % i), "wb") as f:
                f.write(b"".join(l + b"\r\n" for l in lines))
    p.quit()
`
			run(t, "poplib", nil, python, "-c", script, host, pop3Port, s.certFile, out, strconv.Itoa(want))
			keep("poplib", readDir(t, out))
		})
		// mpop: STLS, delivering into a Maildir of its own.
		t.Run("mpop", func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, "mpop")
			for _, sub := range []string{"cur", "new", "tmp"} {
				os.MkdirAll(filepath.Join(out, sub), 0o700)
			}
			run(t, "mpop", nil, mpop, "--file=/dev/null", "--host="+host, "--port="+pop3Port, "--tls=on", "--tls-starttls=on",
				"--tls-trust-file="+s.certFile, "--auth=user", "--user=mpop", "--passwordeval=echo mpop-pw", "--keep=on",
				"--uidls-file="+filepath.Join(dir, "mpop-uidls"), "--deliver=maildir,"+out, "--quiet")
			keep("mpop", readDir(t, filepath.Join(out, "new")))
		})
		// fetchmail: STLS (checking the certificate), each message handed to
		// an MDA that writes it to a file.
		t.Run("fetchmail", func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, "fetchmail")
			os.Mkdir(out, 0o700)
			rc := filepath.Join(dir, "fetchmailrc")
			conf := fmt.Sprintf(`set no syslog
poll %s protocol pop3 port %s auth password
  user "fetchmail" there with password "fetchmail-pw" is "fetchmail" here
  keep fetchall no rewrite
  sslproto 'tls1.2+' sslcertck sslcertfile "%s" sslcommonname localhost
  mda "cat > %s/msg.$$"
`, host, pop3Port, s.certFile, out)
			os.WriteFile(rc, []byte(conf), 0o600)
			cmd := exec.Command(fetchmail, "-f", rc, "--pidfile", filepath.Join(dir, "fetchmail.pid"))
			cmd.Env = append(os.Environ(), "FETCHMAILHOME="+dir, "HOME="+dir)
			if outb, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("fetchmail: %v\n%s", err, outb)
			}
			keep("fetchmail", readDir(t, out))
		})
	})
	checkRead(t, got, want, msgs)
	if code := s.stop(t); code != 0 {
		t.Errorf("mailsh serve exit status %d", code)
	}
}

// checkRead checks that each reader got every message sent, once, as sent.
func checkRead(t *testing.T, got map[string][]retrieved, want int, msgs map[string][]byte) {
	for _, reader := range readers {
		t.Run("check "+reader, func(t *testing.T) {
			if len(got[reader]) != want {
				t.Fatalf("%s read %d messages, want %d", reader, len(got[reader]), want)
			}
			lf := reader == "mpop" || reader == "fetchmail" // they store with LF
			seen := map[string]bool{}
			for _, r := range got[reader] {
				trace, body := splitTrace(r.data)
				m := returnPathRE.FindStringSubmatch(trace)
				if m == nil {
					t.Fatalf("%s, %s: no Return-Path in\n%s", reader, r.name, trace)
				}
				for _, f := range []string{"Delivered-To: " + reader + "@localhost", "by localhost (mailsh) with "} {
					if !strings.Contains(trace, f) {
						t.Errorf("%s, %s: trace fields lack %q:\n%s", reader, r.name, f, trace)
					}
				}
				subject := subjectRE.FindSubmatch(body)
				if subject == nil {
					t.Fatalf("%s, %s: no Subject", reader, r.name)
				}
				orig := msgs[string(subject[1])]
				if lf {
					orig = bytes.ReplaceAll(orig, []byte("\r\n"), []byte("\n"))
				}
				if !bytes.Equal(body, orig) {
					t.Errorf("%s, %s (%s from %s): differs from what was sent at octet %d of %d", reader, r.name, subject[1], m[1], firstDiff(body, orig), len(orig))
				}
				key := m[1] + " " + string(subject[1])
				if seen[key] {
					t.Errorf("%s: %s twice", reader, key)
				}
				seen[key] = true
			}
		})
	}
}

type retrieved struct {
	name string
	data []byte
}

func readDir(t *testing.T, dir string) []retrieved {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []retrieved
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, retrieved{e.Name(), b})
	}
	return out
}

var (
	returnPathRE = regexp.MustCompile(`(?m)^Return-Path: <([^>]*)>`)
	subjectRE    = regexp.MustCompile(`(?m)^Subject: (\S+)\r?$`)
	traceNames   = map[string]bool{"return-path": true, "delivered-to": true, "received": true}
)

// splitTrace separates the trace fields at the top of a message (ours,
// and those a reader such as mpop or fetchmail adds) from the rest.
func splitTrace(m []byte) (trace string, rest []byte) {
	i := 0
	inTrace := false
	for i < len(m) {
		end := bytes.IndexByte(m[i:], '\n')
		if end < 0 {
			break
		}
		line := m[i : i+end+1]
		name, _, ok := strings.Cut(string(line), ":")
		switch {
		case inTrace && (line[0] == ' ' || line[0] == '\t'):
		case ok && traceNames[strings.ToLower(name)]:
			inTrace = true
		default:
			return string(m[:i]), m[i:]
		}
		i += end + 1
	}
	return string(m[:i]), m[i:]
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Dovecot, pointed at the loopback's Maildir, serves the messages the
// loopback delivered, with the same text and the same sizes: the store
// is real Maildir, not a private format.
func TestLoopbackMaildirDovecot(t *testing.T) {
	t.Parallel()
	peertest.Need(t, "dovecot (dovecot-pop3d)", "dovecot", "/usr/sbin/dovecot")
	// Dovecot's mail user must reach the Maildirs: a directory of our
	// own, readable on the way down.
	base, err := os.MkdirTemp("", "mailsh-maildir")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	root := filepath.Join(base, "mail")
	msgs := testMessages(t, t.TempDir())
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--maildir", root, "--user", "vmc:tanstaaf")
	names := []string{"dots", "utf8", "multipart"}
	for _, name := range names {
		sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", bytes.NewReader(msgs[name]))
	}
	// A bare message, as typed in the lecture, gets Date and Message-ID.
	sendPlain(t, s.smtp, "antunes@ipleiria.pt", "vmc@localhost", strings.NewReader("Teste do mail\r\n"))
	ours := pop3Fetch(t, s.pop3, "vmc", "tanstaaf")
	s.stop(t)

	d := peertest.StartDovecot(t, root, map[string]string{"vmc": "tanstaaf"})
	d.Chown()
	theirs := pop3Fetch(t, d.Addr, "vmc", "tanstaaf")
	if len(theirs) != len(ours) || len(ours) != 4 {
		t.Fatalf("Dovecot serves %d messages, the loopback %d, want 4", len(theirs), len(ours))
	}
	sort.Slice(theirs, func(i, j int) bool { return theirs[i].text < theirs[j].text })
	sort.Slice(ours, func(i, j int) bool { return ours[i].text < ours[j].text })
	for i := range ours {
		if ours[i].text != theirs[i].text || ours[i].size != theirs[i].size {
			t.Errorf("message %d: the loopback serves %d octets, Dovecot %d; same text: %v", i, ours[i].size, theirs[i].size, ours[i].text == theirs[i].text)
		}
	}
	for _, m := range ours {
		if strings.HasSuffix(m.text, "\r\n\r\nTeste do mail\r\n") && !(strings.Contains(m.text, "\r\nDate: ") && strings.Contains(m.text, "\r\nMessage-ID: <")) {
			t.Errorf("the bare message got no Date or Message-ID:\n%s", m.text)
		}
	}
}

// sendPlain sends one message with go-smtp's client, without TLS.
func sendPlain(t *testing.T, addr, from, to string, r io.Reader) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{to}, r); err != nil {
		t.Fatal(err)
	}
	c.Quit()
}

type fetched struct {
	size int64
	text string
}

// pop3Fetch logs in and retrieves every message with its LIST size,
// over a plain connection, with proto's line and dot readers.
func pop3Fetch(t *testing.T, addr, user, pass string) []fetched {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	lr := proto.NewLineReader(conn)
	status := func() string {
		l, err := lr.ReadLine()
		if err != nil || !bytes.HasPrefix(l, []byte("+OK")) {
			t.Fatalf("POP3 %s: %q %v", addr, l, err)
		}
		return string(l)
	}
	status()
	fmt.Fprintf(conn, "USER %s\r\nPASS %s\r\nLIST\r\n", user, pass)
	status()
	status()
	status()
	var out []fetched
	dr := proto.NewDotReader(lr)
	for {
		l, err := dr.ReadDotLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(l))
		n, _ := strconv.ParseInt(f[1], 10, 64)
		out = append(out, fetched{size: n})
	}
	for i := range out {
		fmt.Fprintf(conn, "RETR %d\r\n", i+1)
		status()
		var b bytes.Buffer
		io.Copy(&b, proto.NewDotReader(lr))
		out[i].text = b.String()
		if int64(b.Len()) != out[i].size {
			t.Errorf("%s: message %d is %d octets, LIST said %d", addr, i+1, b.Len(), out[i].size)
		}
	}
	fmt.Fprintf(conn, "QUIT\r\n")
	return out
}

// The server is killed (SIGKILL) in the middle of a load of concurrent
// senders: every message that got its 250 is in new/, intact, exactly
// once; nothing partial is in new/; and a restarted server lists them all.
func TestLoopbackSIGKILL(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	xdg := []string{"XDG_DATA_HOME=" + t.TempDir()}
	s := startServe(t, xdg, "--maildir", root, "--user", "load:pw", "--quiet")
	const (
		senders   = 8
		killAfter = 40  // acknowledged messages before the kill
		maxEach   = 200 // bound on each sender's loop
	)
	var (
		mu      sync.Mutex
		acked   = map[string]bool{}
		count   atomic.Int32
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	kill := func() {
		if stopped.CompareAndSwap(false, true) {
			s.cmd.Process.Kill()
		}
	}
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; seq < maxEach && !stopped.Load(); seq++ {
				id, msg := loadMessage(i, seq)
				c, err := net.DialTimeout("tcp", s.smtp, 5*time.Second)
				if err != nil {
					return
				}
				c.SetDeadline(time.Now().Add(60 * time.Second))
				err = smtp.NewClient(c).SendMail("sender@load.example", []string{"load@localhost"}, bytes.NewReader(msg))
				c.Close()
				if err != nil {
					return
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				if count.Add(1) >= killAfter {
					kill()
				}
			}
		}()
	}
	wg.Wait()
	if !stopped.Load() {
		t.Fatalf("only %d messages acknowledged; the kill never came", count.Load())
	}
	<-s.exited

	found := map[string]int{}
	newFiles, _ := filepath.Glob(filepath.Join(root, "load", "new", "*"))
	for _, p := range newFiles {
		id, err := checkLoadFile(p)
		if err != nil {
			t.Errorf("partial or damaged message in new/: %s: %v", filepath.Base(p), err)
			continue
		}
		found[id]++
	}
	for id := range acked {
		if found[id] != 1 {
			t.Errorf("acknowledged message %s is in new/ %d times, want once", id, found[id])
		}
	}
	tmpFiles, _ := filepath.Glob(filepath.Join(root, "load", "tmp", "*"))
	t.Logf("killed after %d acknowledged messages: %d in new/ (all intact), %d unfinished in tmp/", len(acked), len(newFiles), len(tmpFiles))

	again := startServe(t, xdg, "--maildir", root, "--user", "load:pw", "--quiet")
	mailsh(t, "USER load\nPASS\nSTAT\nQUIT\n", []string{"MAILSH_PASSWORD=pw"}, "pop3://"+again.pop3).
		must(t, 0, fmt.Sprintf("S: +OK %d ", len(newFiles)))
	again.stop(t)
}

// loadMessage makes message seq of sender i: a size between 1 KB and
// 2 MB, and a header carrying the SHA-256 of its body, so that a stored
// copy can be checked on its own.
func loadMessage(i, seq int) (id string, msg []byte) {
	id = fmt.Sprintf("%d.%d@load.example", i, seq)
	size := 1000 + (seq*7919+i*104729)%(2<<20)
	var body bytes.Buffer
	for n := 0; body.Len() < size; n++ {
		fmt.Fprintf(&body, "%s line %07d of a message sent while the server may die at any moment\r\n", id, n)
	}
	sum := sha256.Sum256(body.Bytes())
	head := fmt.Sprintf("From: sender@load.example\r\nSubject: load %s\r\nMessage-ID: <%s>\r\nDate: Thu, 12 Dec 2002 20:13:17 +0000\r\nX-Body-SHA256: %s\r\n\r\n", id, id, hex.EncodeToString(sum[:]))
	return id, append([]byte(head), body.Bytes()...)
}

var (
	msgIDRE = regexp.MustCompile(`(?m)^Message-ID: <([^>]+)>$`)
	sumRE   = regexp.MustCompile(`(?m)^X-Body-SHA256: ([0-9a-f]{64})$`)
	sizeRE  = regexp.MustCompile(`,S=(\d+),W=\d+$`)
)

// checkLoadFile verifies a stored message: its size matches its name, and
// its body matches the digest in its header.
func checkLoadFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	m := sizeRE.FindStringSubmatch(p)
	if m == nil || m[1] != strconv.Itoa(len(b)) {
		return "", fmt.Errorf("%d octets, the name says %v", len(b), m)
	}
	head, body, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		return "", fmt.Errorf("no body")
	}
	id, sum := msgIDRE.FindSubmatch(head), sumRE.FindSubmatch(head)
	if id == nil || sum == nil {
		return "", fmt.Errorf("header incomplete")
	}
	got := sha256.Sum256(bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")))
	if hex.EncodeToString(got[:]) != string(sum[1]) {
		return "", fmt.Errorf("body does not match its digest (%d octets)", len(body))
	}
	return string(id[1]), nil
}
