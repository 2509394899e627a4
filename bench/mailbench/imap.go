package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// imapConn is a bare IMAP client: commands written as they are, responses
// read line by line with bufio, literals ({N} at the end of a line) read
// by count, so that the client costs little beside the server it times.
type imapConn struct {
	c   net.Conn
	br  *bufio.Reader
	tag int
	buf []byte // the current response line, literals left out
}

// line reads one response line, CRLF included, into c.buf, skipping the
// literals it holds: each literal's size is passed to lit, and its text
// is discarded. It returns the line's text without the literals.
func (c *imapConn) line(lit func(n int64)) ([]byte, error) {
	c.buf = c.buf[:0]
	for {
		l, err := c.br.ReadSlice('\n')
		c.buf = append(c.buf, l...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return nil, err
		}
		n, ok := literalSize(c.buf)
		if !ok {
			return c.buf, nil
		}
		if lit != nil {
			lit(n)
		}
		if _, err := c.br.Discard(int(n)); err != nil {
			return nil, err
		}
	}
}

// literalSize returns N if line ends with "{N}\r\n".
func literalSize(line []byte) (int64, bool) {
	l := bytes.TrimSuffix(line, []byte("\r\n"))
	if len(l) < 3 || l[len(l)-1] != '}' {
		return 0, false
	}
	i := bytes.LastIndexByte(l, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(l[i+1:len(l)-1]), 10, 64)
	return n, err == nil && n >= 0
}

// run sends a command under a fresh tag and reads its responses up to
// the tagged one, which must be OK. each sees every untagged response
// (literals left out; lit has their sizes).
func (c *imapConn) run(cmd string, each func(line []byte), lit func(n int64)) error {
	c.tag++
	tag := "b" + strconv.Itoa(c.tag)
	if _, err := io.WriteString(c.c, tag+" "+cmd+"\r\n"); err != nil {
		return err
	}
	for {
		l, err := c.line(lit)
		if err != nil {
			return fmt.Errorf("%s: %v", cmd, err)
		}
		if rest, ok := bytes.CutPrefix(l, []byte(tag+" ")); ok {
			if !bytes.HasPrefix(rest, []byte("OK")) {
				return fmt.Errorf("%s: %s", cmd, bytes.TrimSpace(l))
			}
			return nil
		}
		if each != nil {
			each(l)
		}
	}
}

// fetchSeq returns N of "* N FETCH (", or 0.
func fetchSeq(l []byte) int {
	rest, ok := bytes.CutPrefix(l, []byte("* "))
	if !ok {
		return 0
	}
	num, rest, ok := bytes.Cut(rest, []byte(" "))
	if !ok || !bytes.HasPrefix(rest, []byte("FETCH ")) {
		return 0
	}
	n, _ := strconv.Atoi(string(num))
	return n
}

// itemNumber returns the number after "NAME " in a response line.
func itemNumber(l []byte, name string) (int64, bool) {
	i := bytes.Index(l, []byte(name+" "))
	if i < 0 {
		return 0, false
	}
	rest := l[i+len(name)+1:]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return n, err == nil
}

// imapSession times one session: connect, greeting, LOGIN and SELECT
// INBOX; FETCH 1:* (FLAGS RFC822.SIZE); FETCH 1:* BODY.PEEK[]; LOGOUT.
// It checks that each FETCH answered for every message and that the
// literals add up to the sizes RFC822.SIZE gave.
func imapSession(a []string) error {
	if len(a) != 3 {
		return fmt.Errorf("usage: imap ADDR USER PASS")
	}
	start := time.Now()
	nc, err := net.Dial("tcp", a[0])
	if err != nil {
		return err
	}
	defer nc.Close()
	c := &imapConn{c: nc, br: bufio.NewReaderSize(nc, 64<<10)}
	g, err := c.line(nil)
	if err != nil {
		return fmt.Errorf("greeting: %v", err)
	}
	if !bytes.HasPrefix(g, []byte("* OK")) {
		return fmt.Errorf("greeting: %s", bytes.TrimSpace(g))
	}
	if err := c.run("LOGIN "+quote(a[1])+" "+quote(a[2]), nil, nil); err != nil {
		return err
	}
	exists := -1
	if err := c.run("SELECT INBOX", func(l []byte) {
		if n, ok := bytes.CutPrefix(l, []byte("* ")); ok {
			if num, rest, ok := bytes.Cut(n, []byte(" ")); ok && bytes.HasPrefix(rest, []byte("EXISTS")) {
				exists, _ = strconv.Atoi(string(num))
			}
		}
	}, nil); err != nil {
		return err
	}
	login := time.Since(start)
	if exists < 0 {
		return fmt.Errorf("SELECT INBOX: no EXISTS")
	}
	if exists == 0 {
		return fmt.Errorf("SELECT INBOX: the mailbox is empty")
	}

	t := time.Now()
	var flagged int
	var sizes int64
	if err := c.run("FETCH 1:* (FLAGS RFC822.SIZE)", func(l []byte) {
		if fetchSeq(l) > 0 {
			flagged++
			if n, ok := itemNumber(l, "RFC822.SIZE"); ok {
				sizes += n
			}
		}
	}, nil); err != nil {
		return err
	}
	flags := time.Since(t)

	t = time.Now()
	var bodies int
	var octets int64
	if err := c.run("FETCH 1:* BODY.PEEK[]", func(l []byte) {
		if fetchSeq(l) > 0 {
			bodies++
		}
	}, func(n int64) { octets += n }); err != nil {
		return err
	}
	body := time.Since(t)

	t = time.Now()
	if err := c.run("LOGOUT", nil, nil); err != nil {
		return err
	}
	logout := time.Since(t)

	switch {
	case flagged != exists:
		return fmt.Errorf("FETCH (FLAGS RFC822.SIZE): %d responses for %d messages", flagged, exists)
	case bodies != exists:
		return fmt.Errorf("FETCH BODY.PEEK[]: %d responses for %d messages", bodies, exists)
	case octets != sizes:
		return fmt.Errorf("FETCH BODY.PEEK[]: %d octets, RFC822.SIZE said %d", octets, sizes)
	}
	rate := float64(bodies) / body.Seconds()
	fmt.Println(ms(login), ms(flags), ms(body), strconv.FormatFloat(rate, 'f', 0, 64), ms(logout), exists)
	return nil
}

// quote makes an IMAP quoted string (RFC 9051 §4.3): backslash and
// double quote escaped.
func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
