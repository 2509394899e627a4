// Command guesses measures how many passwords an attacker can try against
// the built-in server with its default limits: it starts the server on
// 127.0.0.1 and runs -conns attackers at once, half over SMTP (AUTH PLAIN)
// and half over POP3 (USER/PASS), each reconnecting whenever the server
// closes the session, for -duration. It counts the wrong passwords the
// server checked (from its log) and the failure replies the attackers
// read, and prints guesses per minute.
//
//	go run ./bench/guesses                   # 60 s, 16 connections
//	go run ./bench/guesses -hangup 50ms      # attackers that do not wait for the reply
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailsh/mailsh/loopback"
	pop3server "github.com/mailsh/mailsh/loopback/pop3"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

func main() {
	duration := flag.Duration("duration", time.Minute, "how long to guess")
	conns := flag.Int("conns", 16, "attacking connections at once")
	hangup := flag.Duration("hangup", 0, "hang up when no reply comes within this (0: wait for it)")
	flag.Parse()
	if err := run(*duration, *conns, *hangup); err != nil {
		fmt.Fprintln(os.Stderr, "guesses:", err)
		os.Exit(1)
	}
}

// failCounter counts the server's log lines for failed logins.
type failCounter struct{ n atomic.Int64 }

func (f *failCounter) Write(p []byte) (int, error) {
	s := string(p)
	if strings.Contains(s, "login failed") || (strings.Contains(s, "AUTH ") && strings.Contains(s, ": failed")) {
		f.n.Add(1)
	}
	return len(p), nil
}

func run(duration time.Duration, conns int, hangup time.Duration) error {
	dir, err := os.MkdirTemp("", "guesses")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := loopback.OpenStore(filepath.Join(dir, "Maildir"), nil)
	if err != nil {
		return err
	}
	checked := &failCounter{}
	srv, err := loopback.New(loopback.Config{
		Accounts: []loopback.Account{{Name: "demo", Password: "not-guessed"}},
		Store:    store,
		Log:      log.New(checked, "", 0),
	})
	if err != nil {
		return err
	}
	a, err := srv.Start(loopback.Addrs{smtpserver.Service: "127.0.0.1:0", pop3server.Service: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	fmt.Printf("server: smtp %s, pop3 %s, default limits (failure delay %s doubling to %s, %d failures a session)\n",
		a[smtpserver.Service], a[pop3server.Service], loopback.DefaultAuthFailureDelay, loopback.DefaultMaxAuthFailureDelay, loopback.DefaultAuthFailures)
	end := time.Now().Add(duration)
	var answered atomic.Int64
	var wg sync.WaitGroup
	for i := range conns {
		pop3 := i%2 == 1
		wg.Go(func() {
			for time.Now().Before(end) {
				attack(a, pop3, end, hangup, &answered)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	mins := duration.Minutes()
	fmt.Printf("%d connections for %s: %d wrong passwords checked (%.1f a minute), %d failure replies read\n",
		conns, duration, checked.n.Load(), float64(checked.n.Load())/mins, answered.Load())
	return nil
}

// attack runs one session of wrong guesses until the server closes it or
// time is up.
func attack(a loopback.Addrs, pop3 bool, end time.Time, hangup time.Duration, answered *atomic.Int64) {
	addr := a[smtpserver.Service]
	if pop3 {
		addr = a[pop3server.Service]
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		time.Sleep(100 * time.Millisecond)
		return
	}
	defer c.Close()
	c.SetDeadline(end)
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return
	}
	if !pop3 {
		c.Write([]byte("EHLO attacker\r\n"))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(l, "250 ") {
				break
			}
		}
	}
	for n := 0; ; n++ {
		if pop3 {
			fmt.Fprintf(c, "USER demo\r\nPASS guess%d\r\n", n)
			if _, err := br.ReadString('\n'); err != nil {
				return
			}
		} else {
			fmt.Fprintf(c, "AUTH PLAIN %s\r\n", base64.StdEncoding.EncodeToString([]byte("\x00demo\x00guess"+fmt.Sprint(n))))
		}
		if hangup > 0 {
			c.SetReadDeadline(time.Now().Add(hangup))
		}
		l, err := br.ReadString('\n')
		if err != nil {
			return
		}
		answered.Add(1)
		if strings.HasPrefix(l, "421 ") || strings.Contains(l, "Too many failed") {
			return
		}
	}
}
