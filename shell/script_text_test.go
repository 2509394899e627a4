package shell

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/smtp"
	"github.com/mailsh/mailsh/protocols"
	"github.com/mailsh/mailsh/transcript"
)

// dataPeer is an SMTP server on 127.0.0.1 that accepts every command,
// answers DATA with 354 and the end of the text with final, and keeps,
// for each connection, the message text as it arrived (the "." line
// included, and whatever came after the 354 if the text never ended), or
// only its size when keep is false. It reads lines with ReadSlice, so
// that it allocates nothing per line.
type dataPeer struct {
	addr  string
	final string
	keep  bool

	mu       sync.Mutex
	sessions []*peerSession
	// hangUp: the server closes the connection after the first line of
	// message text.
	hangUp bool
}

type peerSession struct {
	text  bytes.Buffer
	size  int64
	ended int // messages whose "." arrived
	quit  bool
	done  chan struct{}
}

func startDataPeer(t *testing.T, final string, keep bool) *dataPeer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	p := &dataPeer{addr: l.Addr().String(), final: final, keep: keep}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			ps := &peerSession{done: make(chan struct{})}
			p.mu.Lock()
			p.sessions = append(p.sessions, ps)
			p.mu.Unlock()
			go p.serve(c, ps)
		}
	}()
	return p
}

func (p *dataPeer) serve(c net.Conn, ps *peerSession) {
	defer close(ps.done)
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	bw := bufio.NewWriter(c)
	reply := func(s string) { bw.WriteString(s + "\r\n"); bw.Flush() }
	reply("220 fake ESMTP")
	br := bufio.NewReaderSize(c, 64<<10)
	inData, atStart := false, true
	for {
		line, err := br.ReadSlice('\n')
		if inData {
			p.mu.Lock()
			if p.keep {
				ps.text.Write(line)
			}
			ps.size += int64(len(line))
			end := err == nil && atStart && string(line) == ".\r\n"
			if end {
				ps.ended++
			}
			hangUp := p.hangUp
			p.mu.Unlock()
			if hangUp {
				return
			}
			if err == bufio.ErrBufferFull {
				atStart = false
				continue
			}
			if err != nil {
				return
			}
			atStart = true
			if end {
				inData = false
				reply(p.final)
			}
			continue
		}
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(string(line))); {
		case cmd == "DATA":
			inData, atStart = true, true
			reply("354 go ahead")
		case cmd == "QUIT":
			p.mu.Lock()
			ps.quit = true
			p.mu.Unlock()
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

// session returns the i-th connection's record once it has ended.
func (p *dataPeer) session(t *testing.T, i int) *peerSession {
	t.Helper()
	p.mu.Lock()
	if i >= len(p.sessions) {
		p.mu.Unlock()
		t.Fatalf("the server had %d connections, not %d", len(p.sessions), i+1)
	}
	ps := p.sessions[i]
	p.mu.Unlock()
	select {
	case <-ps.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("connection %d did not end", i)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return ps
}

type scriptResult struct {
	code     int
	out, err string
	// entries are the transcript's lines without their times.
	entries []string
}

// runDataScript runs script in script mode against the peer, with a
// transcript, the printer as mailsh sets it up for a script, and :abort
// reconnecting.
func runDataScript(t *testing.T, p *dataPeer, script string, errexit bool) scriptResult {
	t.Helper()
	return runDataInput(t, p, func(*Session) io.Reader { return strings.NewReader(script) }, errexit)
}

// runDataInput is runDataScript with the script read from what input
// gives for the session.
func runDataInput(t *testing.T, p *dataPeer, input func(*Session) io.Reader, errexit bool) scriptResult {
	t.Helper()
	host, port, _ := net.SplitHostPort(p.addr)
	pn, err := proto.ParsePort(port)
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	pr := NewPrinter(&out, false)
	pr.Prefix, pr.Echo = true, true
	s := &Session{Target: proto.Target{Proto: smtp.Protocol, Host: host, Port: pn}, P: pr, Opts: Options{ErrExit: errexit}}
	path := filepath.Join(t.TempDir(), "session.transcript")
	if err := s.StartTranscript(path, transcript.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := proto.DialOptions{Timeout: 5 * time.Second, Observe: s.Observe, Protocols: protocols.All}
	s.Connect = func(ctx context.Context, t proto.Target) (*proto.Client, error) {
		c, _, err := proto.Dial(ctx, t, dial)
		return c, err
	}
	if s.Client, err = s.Connect(ctx, s.Target); err != nil {
		t.Fatal(err)
	}
	code := RunScript(ctx, s, input(s), &errw)
	s.Client.Close()
	s.Close()
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := scriptResult{code: code, out: out.String(), err: errw.String()}
	for _, l := range strings.Split(string(rec), "\n") {
		// "15:04:05.000000 C| text"
		if len(l) > 16 && l[2] == ':' && l[15] == ' ' {
			r.entries = append(r.entries, l[16:])
		}
	}
	return r
}

// between returns the lines of text after the line from and before the
// line to (exclusive).
func between(lines []string, from, to string) []string {
	for i, l := range lines {
		if l != from {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			if lines[j] == to {
				return lines[i+1 : j]
			}
		}
		return lines[i+1:]
	}
	return nil
}

// messageLines are lines of message text that Handle sends as they are
// (dot-stuffed): enough of them, and long enough, to take several chunks.
func messageLines() []string {
	lines := []string{
		"Subject: typed",
		"",
		".leading dot",
		"..two dots",
		" .",
		". ",
		"...",
		"\ttab\tand trailing blanks  \t",
		"8-bit: caf\xe9 \xff and a NUL \x00 and an escape \x1b[31m",
		"Note: a colon, as in every header",
		":not a meta-command in the text",
		"  :abortion is not :abort",
		":raw sender is not :raw send",
		"\u00a0:abort, after a no-break space, is text",
		strings.Repeat("long ", 4000),
	}
	for i := 0; len(lines) < 4000; i++ {
		if i%7 == 0 {
			lines = append(lines, fmt.Sprintf(".%d line with a dot, to be doubled", i))
		} else {
			lines = append(lines, fmt.Sprintf("line %d of the message, nothing special", i))
		}
	}
	return lines
}

// TestScriptDataSendsWhatWasTyped: in script mode every line of a message
// goes as typed, a leading "." doubled, with CRLF whether the script had
// LF or CRLF; the printer shows each line as it went and the transcript
// records it so; ":" lines that are not :abort or :raw send are text.
func TestScriptDataSendsWhatWasTyped(t *testing.T) {
	t.Parallel()
	lines := messageLines()
	var script, wire strings.Builder
	script.WriteString("EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n")
	var shown, recorded []string
	for i, l := range lines {
		script.WriteString(l)
		if i%3 == 0 {
			script.WriteString("\r\n")
		} else {
			script.WriteString("\n")
		}
		wire.WriteString(proto.StuffLine(l) + "\r\n")
		shown = append(shown, "C: "+Printable(proto.StuffLine(l), false))
		recorded = append(recorded, "C| "+proto.StuffLine(l))
	}
	script.WriteString(".\nQUIT\n")
	wire.WriteString(".\r\n")

	p := startDataPeer(t, "250 queued", true)
	r := runDataScript(t, p, script.String(), false)
	if r.code != 0 || r.err != "" {
		t.Fatalf("exit status %d, %q", r.code, r.err)
	}
	ps := p.session(t, 0)
	if got := ps.text.String(); got != wire.String() {
		t.Errorf("the server received %d octets, want %d:\n%s", len(got), wire.Len(), firstDiff(got, wire.String()))
	}
	if ps.ended != 1 || !ps.quit {
		t.Errorf("messages ended %d, QUIT %v", ps.ended, ps.quit)
	}
	out := strings.Split(r.out, "\n")
	if got := between(out, "S: 354 go ahead", "C: ."); strings.Join(got, "\n") != strings.Join(shown, "\n") {
		t.Errorf("printed:\n%s", firstDiff(strings.Join(got, "\n"), strings.Join(shown, "\n")))
	}
	if got := between(out, "C: .", ""); !strings.HasPrefix(strings.Join(got, "\n"), "S: 250 queued\nC: QUIT\nS: 221 bye\n* connection closed\n* transcript saved to ") {
		t.Errorf("printed after the message:\n%s", strings.Join(got, "\n"))
	}
	if got := between(r.entries, "S: 354 go ahead", "C: ."); strings.Join(got, "\n") != strings.Join(recorded, "\n") {
		t.Errorf("recorded:\n%s", firstDiff(strings.Join(got, "\n"), strings.Join(recorded, "\n")))
	}
	if got := between(r.entries, "C: .", "C: QUIT"); strings.Join(got, "\n") != "S: 250 queued" {
		t.Errorf("recorded after the message: %q", got)
	}
}

// firstDiff shows where two long strings part.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-80, 0)
	return fmt.Sprintf("at octet %d:\n got …%q\nwant …%q", i, got[from:min(i+80, len(got))], want[from:min(i+80, len(want))])
}

// TestScriptDataRawSend: ":raw send" in the middle of a message puts its
// bytes on the wire between the lines around it, and the message goes
// on.
func TestScriptDataRawSend(t *testing.T) {
	t.Parallel()
	lines := messageLines()[:3000]
	var script, wire strings.Builder
	script.WriteString("EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n")
	for i, l := range lines {
		script.WriteString(l + "\n")
		wire.WriteString(proto.StuffLine(l) + "\r\n")
		if i == 2000 {
			script.WriteString(`  :raw send "X-Raw: \x41\r\n"` + "\n")
			wire.WriteString("X-Raw: A\r\n")
		}
	}
	script.WriteString(".\nQUIT\n")
	wire.WriteString(".\r\n")
	p := startDataPeer(t, "250 queued", true)
	r := runDataScript(t, p, script.String(), false)
	if r.code != 0 || r.err != "" {
		t.Fatalf("exit status %d, %q", r.code, r.err)
	}
	ps := p.session(t, 0)
	if got := ps.text.String(); got != wire.String() {
		t.Errorf("the server received:\n%s", firstDiff(got, wire.String()))
	}
	out := strings.Split(r.out, "\n")
	want := []string{
		"C: " + proto.StuffLine(lines[2000]),
		"* mailsh still takes the message as open, whatever the server makes of these bytes: end it with \".\" or :abort",
		`* sent raw: X-Raw: A\r\n`,
		"C: " + proto.StuffLine(lines[2001]),
	}
	if got := between(out, "C: "+proto.StuffLine(lines[1999]), "C: "+proto.StuffLine(lines[2002])); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed around :raw send:\n%s", strings.Join(got, "\n"))
	}
	if ps.ended != 1 || !strings.Contains(r.out, "S: 250 queued\nC: QUIT\n") {
		t.Errorf("the message did not end as it should:\n%s", r.out[max(len(r.out)-300, 0):])
	}
}

// TestScriptDataAbort: :abort (blanks around it allowed) abandons the
// message, which the server never sees ended, and the script goes on on a
// new connection.
func TestScriptDataAbort(t *testing.T) {
	t.Parallel()
	lines := messageLines()
	var script strings.Builder
	script.WriteString("EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n")
	for _, l := range lines[:3000] {
		script.WriteString(l + "\n")
	}
	script.WriteString("\u00a0:abort \t\n") // as TrimSpace trims it
	script.WriteString("EHLO again\nQUIT\n")
	p := startDataPeer(t, "250 queued", true)
	r := runDataScript(t, p, script.String(), false)
	if r.code != 0 || r.err != "" {
		t.Fatalf("exit status %d, %q", r.code, r.err)
	}
	if first := p.session(t, 0); first.ended != 0 || first.quit {
		t.Errorf("the abandoned connection: %d messages ended, QUIT %v", first.ended, first.quit)
	}
	second := p.session(t, 1)
	if second.ended != 0 || !second.quit {
		t.Errorf("the new connection: %d messages ended, QUIT %v", second.ended, second.quit)
	}
	out := strings.Split(r.out, "\n")
	want := []string{
		"* abandoning the message: closing the connection (the server discards a message without its final \".\")",
		"S: 220 fake ESMTP",
		"* reconnected; the transaction is gone: start again with EHLO",
		"C: EHLO again",
	}
	if got := between(out, "C: "+lines[2999], "S: 250 ok"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printed after the last line before :abort:\n%s", strings.Join(got, "\n"))
	}
}

// TestScriptDataUnfinished: input that ends in the middle of a message
// sends nothing as if complete, and says so.
func TestScriptDataUnfinished(t *testing.T) {
	t.Parallel()
	lines := messageLines()
	script := "EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n" + strings.Join(lines, "\n") + "\n"
	for _, unterminated := range []bool{false, true} {
		s := script
		if unterminated {
			s = strings.TrimSuffix(s, "\n")
		}
		p := startDataPeer(t, "250 queued", true)
		r := runDataScript(t, p, s, false)
		want := "mailsh: input ended in the middle of a message (no \".\" line); the message was not sent\n"
		if r.code != 1 || r.err != want {
			t.Errorf("exit status %d, %q", r.code, r.err)
		}
		if ps := p.session(t, 0); ps.ended != 0 || ps.quit {
			t.Errorf("%d messages ended, QUIT %v", ps.ended, ps.quit)
		}
		if last := "C: " + proto.StuffLine(lines[len(lines)-1]) + "\n* transcript saved to "; !strings.Contains(r.out, last) {
			t.Errorf("the output does not end with the last line of the text:\n%s", r.out[max(len(r.out)-300, 0):])
		}
	}
}

// TestScriptDataEnds: the reply to the "." line is handled as any other:
// --errexit stops at a failure; without it the script goes on.
func TestScriptDataEnds(t *testing.T) {
	t.Parallel()
	script := "EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\nSubject: x\n\n.body\n.\nNOOP\nQUIT\n"
	p := startDataPeer(t, "554 5.7.1 rejected", true)
	r := runDataScript(t, p, script, true)
	if want := "mailsh: stopped at \"554 5.7.1 rejected\" (--errexit)\n"; r.code != 1 || !strings.HasPrefix(r.err, want) {
		t.Errorf("--errexit: exit status %d, %q", r.code, r.err)
	}
	if ps := p.session(t, 0); ps.text.String() != "Subject: x\r\n\r\n..body\r\n.\r\n" || !ps.quit {
		t.Errorf("--errexit: the server received %q, QUIT %v", ps.text.String(), ps.quit)
	}
	if strings.Contains(r.out, "C: NOOP") {
		t.Errorf("--errexit went on:\n%s", r.out)
	}
	p = startDataPeer(t, "554 5.7.1 rejected", true)
	r = runDataScript(t, p, script, false)
	if r.code != 0 || !strings.Contains(r.out, "C: .\nS: 554 5.7.1 rejected\nC: NOOP\nS: 250 ok\nC: QUIT\n") {
		t.Errorf("exit status %d, %q\n%s", r.code, r.err, r.out)
	}
}

// TestScriptDataBareCR: a line of text with a CR in it is refused as
// Command refuses it, after the lines before it have gone.
func TestScriptDataBareCR(t *testing.T) {
	t.Parallel()
	script := "EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\nSubject: x\n\nbefore\nbare\rCR\nafter\n.\nQUIT\n"
	p := startDataPeer(t, "250 queued", true)
	r := runDataScript(t, p, script, false)
	if r.code != 1 || !strings.Contains(r.err, "cannot contain CR or LF") {
		t.Errorf("exit status %d, %q", r.code, r.err)
	}
	if !strings.Contains(r.out, "C: before\n* transcript saved to ") {
		t.Errorf("printed:\n%s", r.out)
	}
	if ps := p.session(t, 0); ps.ended != 0 || ps.quit {
		t.Errorf("%d messages ended, QUIT %v", ps.ended, ps.quit)
	}
}

// TestScriptDataStreams: a line of a message in script mode costs about
// one allocation (the text of the event that reports it), where a line
// sent as a command cost two (the script's string and the classified
// Cmd) besides its locks and checks: the text streams a chunk at a time.
// The count is of the whole process, the server's goroutine and the
// client's reader included, and does not depend on time.
func TestScriptDataStreams(t *testing.T) {
	const n = 200000
	var script bytes.Buffer
	script.WriteString("EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\n")
	line := strings.Repeat("x", 70) + "\n"
	for range n {
		script.WriteString(line)
	}
	script.WriteString(".\nQUIT\n")
	p := startDataPeer(t, "250 queued", false)
	host, port, _ := net.SplitHostPort(p.addr)
	pn, _ := proto.ParsePort(port)
	pr := NewPrinter(io.Discard, false)
	pr.Prefix, pr.Echo = true, true
	s := &Session{Target: proto.Target{Proto: smtp.Protocol, Host: host, Port: pn}, P: pr}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, _, err := proto.Dial(ctx, s.Target, proto.DialOptions{Timeout: 30 * time.Second, Observe: s.Observe, Protocols: protocols.All})
	if err != nil {
		t.Fatal(err)
	}
	s.Client = c
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code := RunScript(ctx, s, &script, io.Discard)
	runtime.ReadMemStats(&after)
	if code != 0 {
		t.Fatalf("exit status %d", code)
	}
	if ps := p.session(t, 0); ps.ended != 1 || ps.size != int64(n*(len(line)+1)+3) {
		t.Fatalf("the server received %d octets, %d messages", ps.size, ps.ended)
	}
	perLine := float64(after.Mallocs-before.Mallocs) / n
	t.Logf("%.2f allocations per line", perLine)
	if perLine > 1.5 {
		t.Errorf("%.2f allocations per line of message text: it goes a line at a time through the command path", perLine)
	}
}

// TestScriptDataServerHangsUp: when the server closes the connection in
// the middle of a message, the next line says so and ends the run, as
// any line does on a closed connection, and nothing after it is read as
// a line, not even the part of one that was read with it.
func TestScriptDataServerHangsUp(t *testing.T) {
	t.Parallel()
	p := startDataPeer(t, "250 queued", true)
	p.mu.Lock()
	p.hangUp = true
	p.mu.Unlock()
	r := runDataInput(t, p, func(s *Session) io.Reader {
		return &pacedReader{s: s, parts: []string{
			"EHLO me\nMAIL FROM:<a@example.com>\nRCPT TO:<b@example.com>\nDATA\nfirst\nsecond\npart",
			"ial\nthird\nfrag",
			"ment\n.\nQUIT\n",
		}}
	}, false)
	if want := "mailsh: not connected: use :connect TARGET or :quit\n"; r.code != 1 || r.err != want {
		t.Errorf("exit status %d, %q", r.code, r.err)
	}
	if !strings.Contains(r.out, "C: first\nC: second\n") || strings.Contains(r.out, "C: partial") || strings.Contains(r.out, "C: third") {
		t.Errorf("printed:\n%s", r.out)
	}
}

// pacedReader gives its parts one read at a time; before the second it
// waits until the session's connection has ended.
type pacedReader struct {
	s     *Session
	parts []string
	n     int
}

func (r *pacedReader) Read(b []byte) (int, error) {
	if r.n >= len(r.parts) {
		return 0, io.EOF
	}
	if r.n == 1 {
		select {
		case <-r.s.Client.Done():
		case <-time.After(10 * time.Second):
			return 0, errors.New("the connection did not end")
		}
	}
	n := copy(b, r.parts[r.n])
	r.parts[r.n] = r.parts[r.n][n:]
	if r.parts[r.n] == "" {
		r.n++
	}
	return n, nil
}
