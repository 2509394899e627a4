// Command idleflood measures how the built-in server copes with clients
// that connect and say nothing: it starts the server with its default
// limits on 127.0.0.1, opens -n idle SMTP connections from -addrs loopback
// addresses (127.0.0.1, 127.0.0.2, …), counts how many the server holds
// and how many it refuses at once, and then times a new client, from
// 127.0.0.1 and from an address of its own, until it is greeted.
//
//	go run ./bench/idleflood              # 500 idle connections from 127.0.0.1
//	go run ./bench/idleflood -addrs 40    # 500 spread over 40 addresses
//
// Addresses other than 127.0.0.1 need a system that routes all of
// 127.0.0.0/8 to the loopback interface, as Linux does.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	smtpserver "github.com/mailsh/mailsh/loopback/smtp"
)

func main() {
	n := flag.Int("n", 500, "idle connections to open")
	addrs := flag.Int("addrs", 1, "loopback addresses to open them from")
	wait := flag.Duration("wait", 60*time.Second, "how long a new client keeps trying")
	flag.Parse()
	if err := run(*n, *addrs, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "idleflood:", err)
		os.Exit(1)
	}
}

func run(n, addrs int, wait time.Duration) error {
	dir, err := os.MkdirTemp("", "idleflood")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := loopback.OpenStore(filepath.Join(dir, "Maildir"), nil)
	if err != nil {
		return err
	}
	cert, err := loopback.SelfSignedCert(filepath.Join(dir, "tls"), []string{"localhost", "127.0.0.1"})
	if err != nil {
		return err
	}
	srv, err := loopback.New(loopback.Config{
		Accounts: []loopback.Account{{Name: "demo", Password: "not-guessed"}},
		Store:    store,
		TLS:      cert.ServerConfig(),
	})
	if err != nil {
		return err
	}
	bound, err := srv.Start(loopback.Addrs{smtpserver.Service: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	target := bound[smtpserver.Service]

	fmt.Printf("server: %s, default limits (%d connections per listener, %d per client address, stress idle %s)\n",
		target, loopback.DefaultMaxConnections, loopback.DefaultMaxClientConnections, loopback.DefaultStressIdle)
	start := time.Now()
	counts := map[string]int{}
	var held []net.Conn
	for i := range n {
		src := net.IPv4(127, 0, 0, byte(1+i%addrs))
		c, first, err := connect(src, target, 2*time.Second)
		switch {
		case err != nil:
			counts["no answer: "+err.Error()]++
		case strings.HasPrefix(first, "220 "):
			counts["greeted (held idle)"]++
			held = append(held, c)
			continue
		default:
			counts[classify(first)]++
		}
		if c != nil {
			c.Close()
		}
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	fmt.Printf("%d idle connections from %d address(es) in %s:\n", n, addrs, time.Since(start).Round(time.Millisecond))
	for k, v := range counts {
		fmt.Printf("  %4d %s\n", v, k)
	}
	for _, who := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 254)} {
		t0 := time.Now()
		tries := 0
		var first string
		for time.Since(t0) < wait {
			tries++
			c, line, err := connect(who, target, 2*time.Second)
			if c != nil {
				c.Close()
			}
			if err == nil {
				first = line
				if strings.HasPrefix(line, "220 ") {
					break
				}
				if tries == 1 {
					fmt.Printf("new client from %s: first answer after %s: %s\n", who, time.Since(t0).Round(time.Microsecond), line)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		if strings.HasPrefix(first, "220 ") {
			fmt.Printf("new client from %s: greeted after %s (%d tries, 100 ms apart)\n", who, time.Since(t0).Round(time.Microsecond), tries)
		} else {
			fmt.Printf("new client from %s: not greeted within %s (%d tries); last answer %q\n", who, wait, tries, first)
		}
	}
	return nil
}

// connect opens a connection from src and reads the server's first line.
func connect(src net.IP, target string, timeout time.Duration) (net.Conn, string, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: timeout}
	c, err := d.Dial("tcp", target)
	if err != nil {
		return nil, "", err
	}
	c.SetReadDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(c).ReadString('\n')
	c.SetReadDeadline(time.Time{})
	return c, strings.TrimRight(line, "\r\n"), err
}

// classify shortens a refusal to its kind.
func classify(line string) string {
	switch {
	case strings.Contains(line, "from one address"):
		return "refused at once: 421 4.7.0 too many from this address"
	case strings.Contains(line, "Too many connections"):
		return "refused at once: 421 4.7.0 too many connections"
	}
	return "answered " + line
}
