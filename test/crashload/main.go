//go:build unix

// Command crashload puts mail through the loopback server while POP3
// sessions read and delete it, writing a ledger of what the server
// acknowledged; after the server has been killed and started again, it
// checks the Maildir against that ledger. test/crash.sh drives it.
//
//	crashload load -smtp ADDR -pop3 ADDR -users N -ledger FILE [-n N] [-c M]
//	crashload verify -pop3 ADDR -users N -ledger FILE -maildir DIR
//
// Every message is made from its number alone, so the checker knows its
// bytes without keeping them. The ledger has one line per event:
//
//	ack ID        the server answered 250 to the message's final "."
//	maybe-del ID  DELE got +OK and QUIT went out: deleted or not
//	del ID        QUIT answered +OK after DELE: the message is gone
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const domain = "load.test"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crashload load|verify [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	smtpAddr := fs.String("smtp", "127.0.0.1:2525", "SMTP address")
	pop3Addr := fs.String("pop3", "127.0.0.1:1110", "POP3 address")
	users := fs.Int("users", 4, "accounts load1..loadN, password pw")
	n := fs.Int("n", 100000, "messages to send at most")
	c := fs.Int("c", 16, "concurrent SMTP sessions")
	perSession := fs.Int("per-session", 20, "messages per SMTP session")
	ledgerFile := fs.String("ledger", "ledger.txt", "the ledger")
	maildir := fs.String("maildir", "", "the Maildir root (verify)")
	fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "load":
		os.Exit(load(*smtpAddr, *pop3Addr, *users, *n, *c, *perSession, *ledgerFile))
	case "verify":
		os.Exit(verify(*pop3Addr, *users, *ledgerFile, *maildir))
	}
	fmt.Fprintln(os.Stderr, "usage: crashload load|verify [flags]")
	os.Exit(2)
}

// message returns message id's text as sent (CRLF line endings, no
// dot-stuffing) and its account. Sizes vary from a line to about 200 KB,
// so that a kill can land in the middle of writing one.
func message(id, users int) (text []byte, user string) {
	r := rand.New(rand.NewSource(int64(id)))
	user = "load" + strconv.Itoa(1+id%users)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: <sender@%s>\r\nTo: <%s@%s>\r\nSubject: load %d\r\n", domain, user, domain, id)
	fmt.Fprintf(&b, "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <load.%d@%s>\r\nX-Load-ID: %d\r\n\r\n", id, domain, id)
	lines := 1 + r.Intn(40)
	if r.Intn(10) == 0 {
		lines = 1000 + r.Intn(2000)
	}
	for i := 0; i < lines; i++ {
		if i%7 == 3 {
			b.WriteString(".a line that must be dot-stuffed\r\n")
		}
		fmt.Fprintf(&b, "%d line %d %x\r\n", id, i, r.Int63())
	}
	return b.Bytes(), user
}

type ledger struct {
	mu sync.Mutex
	f  *os.File
}

func (l *ledger) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, format+"\n", args...)
}

type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(60 * time.Second))
	return &conn{c, bufio.NewReaderSize(c, 64<<10)}, nil
}

// reply reads an SMTP reply and returns its code.
func (c *conn) reply() (int, string, error) {
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, "", err
		}
		if len(line) < 4 {
			return 0, line, fmt.Errorf("short reply %q", line)
		}
		if line[3] == '-' {
			continue
		}
		code, _ := strconv.Atoi(line[:3])
		return code, strings.TrimSpace(line), nil
	}
}

func (c *conn) cmd(line string, want int) error {
	if _, err := c.c.Write([]byte(line + "\r\n")); err != nil {
		return err
	}
	code, text, err := c.reply()
	if err != nil {
		return err
	}
	if code != want {
		return fmt.Errorf("%s: %s", line, text)
	}
	return nil
}

func stuff(text []byte) []byte {
	var b bytes.Buffer
	for _, l := range bytes.SplitAfter(text, []byte("\r\n")) {
		if len(l) > 0 && l[0] == '.' {
			b.WriteByte('.')
		}
		b.Write(l)
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}

// sendSession sends messages from ids over one SMTP session until the
// channel closes or perSession have gone; it reports whether to go on.
func sendSession(addr string, users int, ids <-chan int, perSession int, lg *ledger, sent, acked *atomic.Int64) (more bool, err error) {
	c, err := dial(addr)
	if err != nil {
		return true, err
	}
	defer c.c.Close()
	if code, text, err := c.reply(); err != nil || code != 220 {
		return true, fmt.Errorf("greeting %q: %v", text, err)
	}
	if err := c.cmd("EHLO crashload", 250); err != nil {
		return true, err
	}
	for k := 0; k < perSession; k++ {
		id, ok := <-ids
		if !ok {
			c.cmd("QUIT", 221)
			return false, nil
		}
		text, user := message(id, users)
		sent.Add(1)
		if err := c.cmd("MAIL FROM:<sender@"+domain+">", 250); err != nil {
			return true, err
		}
		if err := c.cmd("RCPT TO:<"+user+"@"+domain+">", 250); err != nil {
			return true, err
		}
		if err := c.cmd("DATA", 354); err != nil {
			return true, err
		}
		if _, err := c.c.Write(stuff(text)); err != nil {
			return true, err
		}
		code, reply, err := c.reply()
		if err != nil {
			return true, err
		}
		if code != 250 {
			return true, fmt.Errorf("end of data: %s", reply)
		}
		lg.add("ack %d", id)
		acked.Add(1)
	}
	c.cmd("QUIT", 221)
	return true, nil
}

func load(smtpAddr, pop3Addr string, users, n, conc, perSession int, ledgerFile string) int {
	f, err := os.OpenFile(ledgerFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	lg := &ledger{f: f}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; close(stop) }()
	// SIGUSR1 comes just before the server is killed: errors after it
	// are the kill's.
	killed := make(chan struct{})
	usr := make(chan os.Signal, 1)
	signal.Notify(usr, syscall.SIGUSR1)
	go func() { <-usr; close(killed) }()
	var afterKill atomic.Int64

	ids := make(chan int)
	go func() {
		defer close(ids)
		for id := 1; id <= n; id++ {
			select {
			case ids <- id:
			case <-stop:
				return
			}
		}
	}()
	var sent, acked, deleted atomic.Int64
	// What went wrong before the kill, and how often.
	var errMu sync.Mutex
	errs := map[string]int{}
	note := func(err error) {
		select {
		case <-killed:
			afterKill.Add(1)
			return
		default:
		}
		errMu.Lock()
		errs[err.Error()]++
		errMu.Unlock()
	}
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				more, err := sendSession(smtpAddr, users, ids, perSession, lg, &sent, &acked)
				if err != nil {
					note(err)
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
				if !more {
					return
				}
			}
		}()
	}
	popDone := make(chan struct{})
	var pwg sync.WaitGroup
	for u := 1; u <= users; u++ {
		pwg.Add(1)
		go func(user string) {
			defer pwg.Done()
			for {
				select {
				case <-popDone:
					return
				default:
				}
				d, err := popSweep(pop3Addr, user, users, lg)
				deleted.Add(int64(d))
				if err != nil {
					note(err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}("load" + strconv.Itoa(u))
	}
	wg.Wait()
	close(popDone)
	pwg.Wait()
	for e, k := range errs {
		fmt.Printf("load: error before the kill (%d times): %s\n", k, e)
	}
	fmt.Printf("load: errors before the kill: %d; after it (connections cut, refused): %d\n", len(errs), afterKill.Load())
	fmt.Printf("load: sent %d, acknowledged %d, deleted over POP3 %d\n", sent.Load(), acked.Load(), deleted.Load())
	return 0
}

// pop3 reads a one-line POP3 response.
func (c *conn) pop3(line string) (string, error) {
	if line != "" {
		if _, err := c.c.Write([]byte(line + "\r\n")); err != nil {
			return "", err
		}
	}
	resp, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(resp, "+OK") {
		return resp, fmt.Errorf("%s: %s", strings.Fields(line + " ?")[0], strings.TrimSpace(resp))
	}
	return resp, nil
}

// multi reads a POP3 multi-line body and undoes the dot-stuffing.
func (c *conn) multi() ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := c.r.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		if string(line) == ".\r\n" {
			return b.Bytes(), nil
		}
		if line[0] == '.' {
			line = line[1:]
		}
		b.Write(line)
	}
}

func popLogin(addr, user string) (*conn, error) {
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	if _, err := c.pop3(""); err != nil {
		c.c.Close()
		return nil, err
	}
	if _, err := c.pop3("USER " + user); err != nil {
		c.c.Close()
		return nil, err
	}
	if _, err := c.pop3("PASS pw"); err != nil {
		c.c.Close()
		return nil, err
	}
	return c, nil
}

// popList returns the message numbers of a maildrop.
func (c *conn) popList() ([]int, error) {
	if _, err := c.pop3("LIST"); err != nil {
		return nil, err
	}
	body, err := c.multi()
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\r\n") {
		if f := strings.Fields(l); len(f) == 2 {
			k, _ := strconv.Atoi(f[0])
			nums = append(nums, k)
		}
	}
	return nums, nil
}

// popSweep reads the maildrop, checks every message, deletes about half,
// and records the deletions as QUIT answers.
func popSweep(addr, user string, users int, lg *ledger) (int, error) {
	c, err := popLogin(addr, user)
	if err != nil {
		return 0, err
	}
	defer c.c.Close()
	nums, err := c.popList()
	if err != nil {
		return 0, err
	}
	var dele []int
	for _, k := range nums {
		if _, err := c.pop3("RETR " + strconv.Itoa(k)); err != nil {
			return 0, err
		}
		got, err := c.multi()
		if err != nil {
			return 0, err
		}
		id, ok := check(got, users)
		if !ok {
			fmt.Fprintf(os.Stderr, "load: %s message %d is not a complete message (id %d)\n", user, k, id)
			continue
		}
		if id%2 == 0 {
			if _, err := c.pop3("DELE " + strconv.Itoa(k)); err != nil {
				return 0, err
			}
			dele = append(dele, id)
		}
	}
	for _, id := range dele {
		lg.add("maybe-del %d", id)
	}
	if _, err := c.pop3("QUIT"); err != nil {
		return 0, err
	}
	for _, id := range dele {
		lg.add("del %d", id)
	}
	return len(dele), nil
}

// check says which message got is, and whether it is that message whole:
// the server's trace fields, then exactly the bytes that were sent.
func check(got []byte, users int) (int, bool) {
	i := bytes.Index(got, []byte("\r\nX-Load-ID: "))
	if i < 0 {
		return -1, false
	}
	rest := got[i+len("\r\nX-Load-ID: "):]
	j := bytes.IndexByte(rest, '\r')
	if j < 0 {
		return -1, false
	}
	id, err := strconv.Atoi(string(rest[:j]))
	if err != nil {
		return -1, false
	}
	want, _ := message(id, users)
	return id, bytes.HasSuffix(got, want) && bytes.Count(got, []byte("\r\nX-Load-ID: ")) == 1
}

func verify(pop3Addr string, users int, ledgerFile, maildir string) int {
	b, err := os.ReadFile(ledgerFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	acked, maybeDel, del := map[int]bool{}, map[int]bool{}, map[int]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) != 2 {
			continue
		}
		id, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "ack":
			acked[id] = true
		case "maybe-del":
			maybeDel[id] = true
		case "del":
			del[id] = true
		}
	}
	found := map[int]int{}
	bad, files := 0, 0
	for u := 1; u <= users; u++ {
		user := "load" + strconv.Itoa(u)
		for _, sub := range []string{"new", "cur"} {
			ents, _ := os.ReadDir(filepath.Join(maildir, user, sub))
			files += len(ents)
		}
		c, err := popLogin(pop3Addr, user)
		if err != nil {
			fmt.Fprintf(os.Stderr, "verify: %s: %v\n", user, err)
			return 1
		}
		nums, err := c.popList()
		if err != nil {
			fmt.Fprintf(os.Stderr, "verify: %s: %v\n", user, err)
			return 1
		}
		for _, k := range nums {
			if _, err := c.pop3("RETR " + strconv.Itoa(k)); err != nil {
				fmt.Fprintf(os.Stderr, "verify: %v\n", err)
				return 1
			}
			got, err := c.multi()
			if err != nil {
				fmt.Fprintf(os.Stderr, "verify: %v\n", err)
				return 1
			}
			id, ok := check(got, users)
			if !ok {
				bad++
				fmt.Fprintf(os.Stderr, "verify: %s message %d is partial or altered (id %d, %d octets, sha256 %x)\n",
					user, k, id, len(got), sha256.Sum256(got))
				continue
			}
			found[id]++
		}
		c.pop3("QUIT")
		c.c.Close()
	}
	lost, dup, unacked := 0, 0, 0
	for id := range acked {
		switch {
		case found[id] == 0 && !del[id] && !maybeDel[id]:
			lost++
			fmt.Fprintf(os.Stderr, "verify: message %d was acknowledged and is gone\n", id)
		}
	}
	for id, k := range found {
		if k > 1 {
			dup++
			fmt.Fprintf(os.Stderr, "verify: message %d is there %d times\n", id, k)
		}
		if del[id] {
			dup++
			fmt.Fprintf(os.Stderr, "verify: message %d was deleted (QUIT +OK) and is back\n", id)
		}
		if !acked[id] {
			unacked++
		}
	}
	nfound := 0
	for _, k := range found {
		nfound += k
	}
	if files != nfound+bad {
		fmt.Fprintf(os.Stderr, "verify: %d files in new/ and cur/, POP3 shows %d\n", files, nfound+bad)
		bad++
	}
	fmt.Printf("verify: acknowledged %d, deleted (QUIT +OK) %d, deletion uncertain (no QUIT reply) %d, found %d (%d stored but never acknowledged), lost %d, duplicated or resurrected %d, partial %d\n",
		len(acked), len(del), len(maybeDel)-len(del), nfound, unacked, lost, dup, bad)
	if lost+dup+bad > 0 {
		return 1
	}
	return 0
}
