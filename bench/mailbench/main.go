// Command mailbench is the benchmarks' helper: it fills a Maildir, times
// a POP3 or IMAP session command by command, and sends a large message as
// a plain client would, already dot-stuffed, for the shell's streaming to
// be compared with.
//
//	mailbench fill DIR COUNT SIZE      COUNT messages of SIZE octets in DIR/new
//	mailbench pop3 ADDR USER PASS      one session: login, STAT, LIST, UIDL, RETR of all
//	mailbench imap ADDR USER PASS      one session: login and SELECT INBOX, FETCH of
//	                                   FLAGS and RFC822.SIZE, FETCH BODY.PEEK[] of all
//	mailbench smtpraw ADDR FILE [RCPT] one message, FILE as DATA text (CRLF, stuffed)
//	mailbench link SRC DST COPIES      hard links to SRC/new's messages in DST/new, COPIES times
//	mailbench files DIR COUNT          COUNT files made as a delivery makes them, in
//	                                   DIR/tmp and renamed into DIR/new, without and
//	                                   with fsyncs: "plain_per_s durable_per_s"
//	mailbench port                     a free TCP port on 127.0.0.1
//
// pop3 prints "login_ms stat_ms list_ms uidl_ms retr_ms messages"; imap
// prints "login_select_ms flags_ms body_ms body_msgs_per_s logout_ms
// messages".
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: mailbench fill|pop3|imap|smtpraw|link|files|port ...")
	}
	var err error
	switch a := os.Args[2:]; os.Args[1] {
	case "fill":
		err = fill(a)
	case "pop3":
		err = pop3(a)
	case "imap":
		err = imapSession(a)
	case "smtpraw":
		err = smtpRaw(a)
	case "link":
		err = link(a)
	case "files":
		err = files(a)
	case "port":
		var l net.Listener
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err == nil {
			fmt.Println(l.Addr().(*net.TCPAddr).Port)
			l.Close()
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "mailbench:", msg)
	os.Exit(1)
}

// fill writes messages as a delivery names them: the Maildir++ sizes
// ",S=" (file) and ",W=" (with CRLF) in the name.
func fill(a []string) error {
	if len(a) != 3 {
		return fmt.Errorf("usage: fill DIR COUNT SIZE")
	}
	n, _ := strconv.Atoi(a[1])
	size, _ := strconv.Atoi(a[2])
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(a[0], sub), 0o700); err != nil {
			return err
		}
	}
	var b bytes.Buffer
	b.WriteString("From: bench@localhost\nSubject: bench\n\n")
	for b.Len() < size {
		b.WriteString(strings.Repeat("x", 75) + "\n")
	}
	body := b.Bytes()[:size-1]
	body = append(body, '\n')
	lines := bytes.Count(body, []byte("\n"))
	t0 := time.Now().Add(-time.Hour)
	for i := range n {
		t := t0.Add(time.Duration(i) * time.Microsecond)
		name := fmt.Sprintf("%d.M%06dP%dQ%d.bench,S=%d,W=%d", t.Unix(), t.Nanosecond()/1000, os.Getpid(), i, len(body), len(body)+lines)
		if err := os.WriteFile(filepath.Join(a[0], "new", name), body, 0o600); err != nil {
			return err
		}
	}
	return nil
}

type conn struct {
	c  net.Conn
	br *bufio.Reader
}

func (c *conn) cmd(line string) (string, error) {
	if line != "" {
		if _, err := io.WriteString(c.c, line+"\r\n"); err != nil {
			return "", err
		}
	}
	l, err := c.br.ReadString('\n')
	if err == nil && !strings.HasPrefix(l, "+") && !(len(l) > 0 && l[0] >= '2' && l[0] <= '3') {
		err = fmt.Errorf("%q: %s", line, strings.TrimSpace(l))
	}
	return l, err
}

// body reads a multi-line reply up to its ".", counting lines.
func (c *conn) body() (int, error) {
	n := 0
	for {
		l, err := c.br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			_, err = c.br.ReadSlice('\n')
		}
		if err != nil {
			return n, err
		}
		if len(l) == 3 && l[0] == '.' {
			return n, nil
		}
		n++
	}
}

func ms(d time.Duration) string { return strconv.FormatFloat(d.Seconds()*1000, 'f', 2, 64) }

func pop3(a []string) error {
	if len(a) != 3 {
		return fmt.Errorf("usage: pop3 ADDR USER PASS")
	}
	start := time.Now()
	nc, err := net.Dial("tcp", a[0])
	if err != nil {
		return err
	}
	defer nc.Close()
	c := &conn{c: nc, br: bufio.NewReaderSize(nc, 64<<10)}
	if _, err := c.cmd(""); err != nil {
		return err
	}
	if _, err := c.cmd("USER " + a[1]); err != nil {
		return err
	}
	if _, err := c.cmd("PASS " + a[2]); err != nil {
		return err
	}
	login := time.Since(start)
	t := time.Now()
	st, err := c.cmd("STAT")
	if err != nil {
		return err
	}
	stat := time.Since(t)
	f := strings.Fields(st)
	count, _ := strconv.Atoi(f[1])
	var times []time.Duration
	for _, verb := range []string{"LIST", "UIDL"} {
		t = time.Now()
		if _, err := c.cmd(verb); err != nil {
			return err
		}
		if _, err := c.body(); err != nil {
			return err
		}
		times = append(times, time.Since(t))
	}
	// RETR of every message, pipelined a hundred at a time (RFC 2449's
	// PIPELINING; both servers announce it).
	t = time.Now()
	for i := 1; i <= count; i += 100 {
		var b strings.Builder
		k := min(100, count-i+1)
		for j := range k {
			fmt.Fprintf(&b, "RETR %d\r\n", i+j)
		}
		if _, err := io.WriteString(nc, b.String()); err != nil {
			return err
		}
		for range k {
			if _, err := c.cmd(""); err != nil {
				return err
			}
			if _, err := c.body(); err != nil {
				return err
			}
		}
	}
	retr := time.Since(t)
	c.cmd("QUIT")
	fmt.Println(ms(login), ms(stat), ms(times[0]), ms(times[1]), ms(retr), count)
	return nil
}

// smtpRaw sends one message the way a plain program does: the commands,
// then FILE (already CRLF and dot-stuffed) in 1 MB writes, then ".".
func smtpRaw(a []string) error {
	if len(a) != 2 && len(a) != 3 {
		return fmt.Errorf("usage: smtpraw ADDR FILE [RCPT]")
	}
	rcpt := "c@d"
	if len(a) == 3 {
		rcpt = a[2]
	}
	nc, err := net.Dial("tcp", a[0])
	if err != nil {
		return err
	}
	defer nc.Close()
	c := &conn{c: nc, br: bufio.NewReader(nc)}
	reply := func(line string) error {
		if line != "" {
			if _, err := io.WriteString(nc, line+"\r\n"); err != nil {
				return err
			}
		}
		for {
			l, err := c.br.ReadString('\n')
			if err != nil {
				return err
			}
			if l[0] >= '4' {
				return fmt.Errorf("%q: %s", line, strings.TrimSpace(l))
			}
			if len(l) > 3 && l[3] == ' ' {
				return nil
			}
		}
	}
	for _, l := range []string{"", "EHLO x", "MAIL FROM:<a@b>", "RCPT TO:<" + rcpt + ">", "DATA"} {
		if err := reply(l); err != nil {
			return err
		}
	}
	f, err := os.Open(a[1])
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyBuffer(struct{ io.Writer }{nc}, f, make([]byte, 1<<20)); err != nil {
		return err
	}
	if err := reply("."); err != nil {
		return err
	}
	return reply("QUIT")
}

// link makes a large Maildir cheaply: hard links, each COPY under a
// unique part of its own, to the messages of a small one.
func link(a []string) error {
	if len(a) != 3 {
		return fmt.Errorf("usage: link SRC DST COPIES")
	}
	copies, _ := strconv.Atoi(a[2])
	entries, err := os.ReadDir(filepath.Join(a[0], "new"))
	if err != nil {
		return err
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(a[1], sub), 0o700); err != nil {
			return err
		}
	}
	for k := range copies {
		for _, e := range entries {
			unique, sizes, _ := strings.Cut(e.Name(), ",")
			name := fmt.Sprintf("%sC%d,%s", unique, k, sizes)
			if err := os.Link(filepath.Join(a[0], "new", e.Name()), filepath.Join(a[1], "new", name)); err != nil {
				return err
			}
		}
	}
	return nil
}
