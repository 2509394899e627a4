// Command gosmtp-maildir is the library baseline of the benchmarks: a
// go-smtp server that writes each message to a Maildir as the
// specification asks (tmp/, fsync, rename into new/, fsync of new/)
// before its 250, one message at a time, with no group commit.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

var (
	dir = flag.String("maildir", "", "the Maildir (with cur/, new/, tmp/)")
	seq atomic.Int64
)

type backend struct{}

func (backend) NewSession(*smtp.Conn) (smtp.Session, error) { return session{}, nil }

type session struct{}

func (session) Reset()                               {}
func (session) Logout() error                        { return nil }
func (session) Mail(string, *smtp.MailOptions) error { return nil }
func (session) Rcpt(string, *smtp.RcptOptions) error { return nil }

func (session) Data(r io.Reader) error {
	name := fmt.Sprintf("%d.P%dQ%d.bench", time.Now().Unix(), os.Getpid(), seq.Add(1))
	tmp := filepath.Join(*dir, "tmp", name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if _, err = io.Copy(bw, r); err == nil {
		if err = bw.Flush(); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(*dir, "new", name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(filepath.Join(*dir, "new"))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "where to listen")
	flag.Parse()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(*dir, sub), 0o700)
	}
	s := smtp.NewServer(backend{})
	s.Addr, s.Domain = *addr, "localhost"
	s.MaxMessageBytes, s.MaxRecipients = 64<<20, 100
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	log.Fatal(s.ListenAndServe())
}
