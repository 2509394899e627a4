package shell

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/message"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/smtp"
)

// peer is a scripted server on the far end of a pipe: answer gives the
// reply lines for each line received; in SMTP DATA the lines are kept as
// the message until ".".
type peer struct {
	mu    sync.Mutex
	lines []string // every line received, as on the wire
	data  [][]string
}

func (p *peer) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// message returns the i-th message received in DATA, un-dot-stuffed.
func (p *peer) message(i int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b bytes.Buffer
	for _, l := range p.data[i] {
		b.WriteString(strings.TrimPrefix(l, ".") + "\r\n") // RFC 5321 §4.5.2
	}
	return b.Bytes()
}

func startPeer(t *testing.T, conn net.Conn, greeting string, answer func(line string) []string) *peer {
	p := &peer{}
	go func() {
		defer conn.Close()
		conn.Write([]byte(greeting + "\r\n"))
		br := bufio.NewReader(conn)
		inData := false
		for {
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			p.mu.Lock()
			if inData {
				if l == "." {
					inData = false
					p.lines = append(p.lines, l)
				} else {
					p.data[len(p.data)-1] = append(p.data[len(p.data)-1], l)
					p.mu.Unlock()
					continue
				}
			} else {
				p.lines = append(p.lines, l)
			}
			p.mu.Unlock()
			reply := answer(l)
			if len(reply) > 0 && strings.HasPrefix(reply[0], "354") {
				inData = true
				p.mu.Lock()
				p.data = append(p.data, nil)
				p.mu.Unlock()
			}
			for _, r := range reply {
				conn.Write([]byte(r + "\r\n"))
			}
			if strings.EqualFold(l, "QUIT") {
				return
			}
		}
	}()
	return p
}

func testSession(t *testing.T, pr proto.Protocol, greeting string, answer func(string) []string) (*Session, *bytes.Buffer, *peer) {
	t.Helper()
	cc, sc := net.Pipe()
	p := startPeer(t, sc, greeting, answer)
	var out bytes.Buffer
	pt := NewPrinter(&out, false)
	pt.Prefix, pt.Echo = true, true
	s := &Session{P: pt, Target: proto.Target{Proto: pr, Host: "127.0.0.1"}}
	c := proto.NewClient(cc, pr, s.Observe)
	c.Timeout = 10 * time.Second
	if _, err := c.Greeting(); err != nil {
		t.Fatal(err)
	}
	s.Client = c
	t.Cleanup(func() { c.Close(); s.Close() })
	return s, &out, p
}

// smtpAnswer accepts everything except recipients at refused.example.
func smtpAnswer(l string) []string {
	verb, _, _ := strings.Cut(strings.ToUpper(l), " ")
	switch {
	case verb == "EHLO":
		return []string{"250-fake.example", "250 8BITMIME"}
	case verb == "DATA":
		return []string{"354 go ahead"}
	case l == ".":
		return []string{"250 2.0.0 queued as X1"}
	case strings.Contains(l, "refused.example"):
		return []string{"550 5.1.1 no such user"}
	case verb == "QUIT":
		return []string{"221 bye"}
	}
	return []string{"250 2.0.0 ok"}
}

func pop3Answer(msg string) func(string) []string {
	return func(l string) []string {
		switch {
		case strings.HasPrefix(l, "RETR 1"):
			var r []string
			r = append(r, "+OK "+string(rune('0'+len(msg)%10))+" octets")
			for _, ml := range strings.Split(strings.TrimSuffix(msg, "\r\n"), "\r\n") {
				r = append(r, proto.StuffLine(ml))
			}
			return append(r, ".")
		case strings.HasPrefix(l, "RETR"):
			return []string{"-ERR no such message"}
		case l == "QUIT":
			return []string{"+OK bye"}
		}
		return []string{"+OK"}
	}
}

func must(t *testing.T, s *Session, line string) {
	t.Helper()
	if err := s.Handle(context.Background(), line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
}

// TestShowRetrievesAndDecodes: ":show 1" sends RETR 1 visibly, sums up
// the raw lines, and shows the message decoded; the other commands then
// work on it.
func TestShowRetrievesAndDecodes(t *testing.T) {
	raw, err := os.ReadFile("../message/testdata/corpus/windows-1252.eml")
	if err != nil {
		t.Fatal(err)
	}
	s, out, _ := testSession(t, pop3.Protocol, "+OK ready", pop3Answer(string(raw)))
	if err := s.Handle(context.Background(), ":mime"); !errors.Is(err, ErrNoMessage) {
		t.Fatalf(":mime before RETR: %v", err)
	}
	must(t, s, "USER vmc")
	must(t, s, "PASS x")
	must(t, s, ":show 1")
	got := out.String()
	for _, want := range []string{"C: RETR 1\n", "S: +OK", "* (11 lines of message text; shown decoded below)", "Subject: Preço € 10\n", "o preço é 10 € (“dez euros”), pago até 5ª feira.\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=?windows-1252?") {
		t.Errorf("the raw message was scrolled past:\n%s", got)
	}
	out.Reset()
	must(t, s, ":mime")
	must(t, s, ":headers")
	must(t, s, ":hops")
	if got := out.String(); !strings.Contains(got, "1     text/plain  windows-1252  8bit") || !strings.Contains(got, "Subject: Preço € 10\n    the topic") || !strings.Contains(got, "no Received fields") {
		t.Errorf("output:\n%s", got)
	}
	dir := t.TempDir()
	out.Reset()
	must(t, s, ":save 1 "+filepath.Join(dir, "body.txt"))
	want, _ := os.ReadFile("../message/testdata/corpus/windows-1252.txt")
	if b, _ := os.ReadFile(filepath.Join(dir, "body.txt")); !bytes.Equal(b, want) {
		t.Fatalf("saved %q", b)
	}
	sum := sha256.Sum256(want)
	if !strings.Contains(out.String(), "67 bytes to ") || !strings.Contains(out.String(), "SHA-256 "+string(hexString(sum[:]))) {
		t.Errorf("output:\n%s", out.String())
	}
	if err := s.Handle(context.Background(), ":save 1 "+filepath.Join(dir, "body.txt")); !errors.Is(err, message.ErrExists) {
		t.Errorf("overwrote without --force: %v", err)
	}
	must(t, s, ":save 1 "+filepath.Join(dir, "body.txt")+" --force")
	if err := s.Handle(context.Background(), ":show 7"); err == nil || !strings.Contains(err.Error(), "not retrieved") {
		t.Errorf(":show 7: %v", err)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestMessageCommandsOnFiles: each command takes a FILE, with quotes for
// names with spaces.
func TestMessageCommandsOnFiles(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile("../message/testdata/corpus/lecture-ppt.eml")
	msg := filepath.Join(dir, "a lecture message.eml")
	os.WriteFile(msg, src, 0o600)
	s, out, _ := testSession(t, smtp.Protocol, "220 fake ESMTP", smtpAnswer)
	must(t, s, `:mime "`+msg+`"`)
	must(t, s, `:hops '`+msg+`'`)
	must(t, s, `:show -f "`+msg+`"`)
	out.Reset()
	must(t, s, `:save 2 "`+filepath.Join(dir, "slides [cap 6].ppt")+`" -f "`+msg+`"`)
	want, _ := os.ReadFile("../message/testdata/corpus/lecture-slides.ppt")
	if b, _ := os.ReadFile(filepath.Join(dir, "slides [cap 6].ppt")); !bytes.Equal(b, want) {
		t.Fatal("saved part differs")
	}
	if !strings.Contains(out.String(), `saved part 2 ("SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt"), application/octet-stream: 9000 bytes`) {
		t.Errorf("output:\n%s", out.String())
	}
	for _, bad := range []string{":save 2", ":mime a b", `:show "unclosed`, ":show 3"} {
		if err := s.Handle(context.Background(), bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestComposeSends: :compose runs MAIL, one RCPT per recipient (Bcc
// included), DATA, and the message; the header crosses visibly, the
// attachment's base64 does not scroll past, and the message the server
// got holds the attachment intact and no Bcc field.
func TestComposeSends(t *testing.T) {
	dir := t.TempDir()
	att := filepath.Join(dir, "dados [1].bin")
	data := make([]byte, 50_000)
	rand.New(rand.NewSource(3)).Read(data)
	os.WriteFile(att, data, 0o600)
	s, out, p := testSession(t, smtp.Protocol, "220 fake ESMTP", smtpAnswer)
	if err := s.Handle(context.Background(), ":compose --from a@example.org --to b@example.org --subject x --body y"); err == nil || !strings.Contains(err.Error(), `"mail" state after EHLO or HELO`) {
		t.Fatalf("before EHLO: %v", err)
	}
	must(t, s, "EHLO me")
	must(t, s, `:compose --from "Vítor <a@example.org>" --to b@example.org --cc "C <c@example.org>" --bcc hidden@example.org --subject "Olá, mundo" --body "Linha 1" --attach "`+att+`"`)
	got := p.got()
	wantCmds := []string{"EHLO me", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.org>", "RCPT TO:<c@example.org>", "RCPT TO:<hidden@example.org>", "DATA", "."}
	if strings.Join(got, "|") != strings.Join(wantCmds, "|") {
		t.Fatalf("server got %q", got)
	}
	msg := p.message(0)
	if bytes.Contains(msg, []byte("hidden@example.org")) {
		t.Error("the Bcc recipient is in the message")
	}
	saved := filepath.Join(dir, "out.bin")
	if _, err := message.Save(bytes.NewReader(msg), "2", saved, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(saved); !bytes.Equal(b, data) {
		t.Fatal("the attachment changed on the way")
	}
	shown := out.String()
	for _, want := range []string{"C: MAIL FROM:<a@example.org>\n", "C: RCPT TO:<hidden@example.org>\n", "S: 354 go ahead\n", "C: Subject: =?utf-8?q?Ol=C3=A1,_mundo?=\n", "C: MIME-Version: 1.0\n", "S: 250 2.0.0 queued as X1\n", "Bcc recipients got RCPT TO but are not in the header"} {
		if !strings.Contains(shown, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(shown, "\nC: "); n > 40 {
		t.Errorf("%d client lines echoed: the attachment scrolled past", n)
	}
	if s.Client.Machine.State() != smtp.Ready {
		t.Errorf("state %v after sending", s.Client.Machine.State())
	}
}

// TestComposeStopsAtFailure: a refused recipient stops the transaction,
// which is reset; nothing is sent in DATA.
func TestComposeStopsAtFailure(t *testing.T) {
	s, out, p := testSession(t, smtp.Protocol, "220 fake ESMTP", smtpAnswer)
	must(t, s, "EHLO me")
	must(t, s, ":compose --from a@example.org --to b@example.org,x@refused.example,c@example.org --subject x --body y")
	if got := strings.Join(p.got(), "|"); got != "EHLO me|MAIL FROM:<a@example.org>|RCPT TO:<b@example.org>|RCPT TO:<x@refused.example>|RSET" {
		t.Fatalf("server got %q", got)
	}
	if !strings.Contains(out.String(), "the message was not sent: the server refused it (550 5.1.1 no such user)") {
		t.Errorf("output:\n%s", out.String())
	}
	// With --errexit, the failure stops the session as any failure does.
	s.Opts.ErrExit = true
	if err := s.Handle(context.Background(), ":compose --from a@example.org --to x@refused.example --subject x --body y"); !errors.Is(err, ErrStop) {
		t.Fatalf("errexit: %v", err)
	}
	if got := p.got(); got[len(got)-1] != "RSET" {
		t.Errorf("no RSET after the failure: %q", got)
	}
	// A bad draft is refused before anything is sent.
	n := len(p.got())
	if err := s.Handle(context.Background(), ":compose --from a@example.org --to b@example.org --attach /no/such/file"); err == nil || len(p.got()) != n {
		t.Fatalf("bad attachment: %v, server got %q", err, p.got()[n:])
	}
}

// TestComposeToFile: -o writes the message, refuses to overwrite, and
// says that Bcc recipients are not in it.
func TestComposeToFile(t *testing.T) {
	var out bytes.Buffer
	pt := NewPrinter(&out, false)
	s := &Session{P: pt}
	path := filepath.Join(t.TempDir(), "m.eml")
	line := ":compose --from a@example.org --to b@example.org --bcc c@example.org --subject 'o assunto' --body 'o texto' -o " + path
	must(t, s, line)
	b, _ := os.ReadFile(path)
	// The Bcc address as an address, not as the end of a random
	// Message-ID ("<6b0f….lp45c@example.org>").
	bcc := regexp.MustCompile(`(?m)(^|[\s<,:])c@example\.org`)
	if !bytes.Contains(b, []byte("Subject: o assunto\r\n")) || bcc.Match(b) || !strings.Contains(out.String(), "Bcc recipients are not in it") {
		t.Fatalf("file:\n%s\noutput:\n%s", b, out.String())
	}
	if err := s.Handle(context.Background(), line); !errors.Is(err, message.ErrExists) {
		t.Fatalf("overwrote: %v", err)
	}
	must(t, s, line+" --force")
	if err := s.Handle(context.Background(), ":compose --from a@example.org --to b@example.org"); err == nil || !strings.Contains(err.Error(), "not connected") {
		t.Fatalf("send without a session: %v", err)
	}
}

func TestSplitQuoted(t *testing.T) {
	for in, want := range map[string]string{
		`a b`:                         "a|b",
		`"Protocolos SMTP_POP3" x`:    "Protocolos SMTP_POP3|x",
		`--subject='it''s'`:           "--subject=its",
		`"a \"quoted\" word"`:         `a "quoted" word`,
		`file\ with\ spaces.ppt`:      "file with spaces.ppt",
		`''`:                          "",
		`"SDP_[Protocolos SMTP].ppt"`: "SDP_[Protocolos SMTP].ppt",
	} {
		got, err := splitArgs(in)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("splitQuoted(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := splitArgs(`"open`); err == nil {
		t.Error("unclosed quote accepted")
	}
}
