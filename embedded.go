package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/shell"
)

// loopbackSession is what the built-in server hands to the session that
// mailsh opens to it: where its four sides listen, trust in its
// certificate, and the demo account.
type loopbackSession struct {
	smtp, pop3, smtps, pop3s proto.Target
	cert                     *x509.Certificate
	user, password           string
	maildir                  string
	stop                     func()
}

// startEmbedded starts the loopback server in this process on free
// 127.0.0.1 ports, SMTP, POP3 and their implicit-TLS twins, with the demo
// account, delivering into the Maildir of the data directory (the one
// mailsh serve uses), or into a temporary one if that cannot be written.
func startEmbedded() (*loopbackSession, error) {
	var cleanup func()
	dataDir, err := loopback.DataDir()
	var st *embeddedStore
	if err == nil {
		st, err = openEmbeddedStore(dataDir)
	}
	if err != nil {
		// A read-only home, say: keep this session's mail in a
		// temporary directory instead.
		tmp, terr := os.MkdirTemp("", "mailsh-loopback")
		if terr != nil {
			return nil, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if st, err = openEmbeddedStore(tmp); err != nil {
			cleanup()
			return nil, err
		}
	}
	fail := func(err error) (*loopbackSession, error) {
		if cleanup != nil {
			cleanup()
		}
		return nil, err
	}
	demo, cert := st.demo, st.cert
	srv, err := loopback.New(loopback.Config{
		Accounts: []loopback.Account{demo},
		// A mail catcher: the lecture's "rcpt to: antunes@ipleiria.pt"
		// lands in the demo mailbox too.
		CatchAll:         demo.Name,
		CatchEveryDomain: true,
		Store:            st.store,
		TLS:              cert.ServerConfig(),
	})
	if err != nil {
		return fail(err)
	}
	free := "127.0.0.1:0"
	a, err := srv.Start(loopback.Addrs{SMTP: free, POP3: free, SMTPS: free, POP3S: free})
	if err != nil {
		return fail(err)
	}
	target := func(p proto.Protocol, addr string, implicit bool) proto.Target {
		host, port, _ := strings.Cut(addr, ":")
		n, _ := proto.ParsePort(port)
		return proto.Target{Proto: p, Host: host, Port: n, ImplicitTLS: implicit}
	}
	return &loopbackSession{
		smtp:     target(proto.SMTP, a.SMTP, false),
		pop3:     target(proto.POP3, a.POP3, false),
		smtps:    target(proto.SMTP, a.SMTPS, true),
		pop3s:    target(proto.POP3, a.POP3S, true),
		cert:     cert.Leaf,
		user:     demo.Name,
		password: demo.Password,
		maildir:  st.maildir,
		stop: func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
			if cleanup != nil {
				cleanup()
			}
		},
	}, nil
}

// embeddedStore is the built-in server's mail, account and certificate.
type embeddedStore struct {
	demo    loopback.Account
	store   *loopback.Store
	cert    *loopback.Cert
	maildir string
}

// openEmbeddedStore sets up the data directory: the demo account, its
// Maildir and the self-signed certificate.
func openEmbeddedStore(dataDir string) (*embeddedStore, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	st := &embeddedStore{demo: loopback.DemoAccount(dataDir), maildir: filepath.Join(dataDir, "Maildir")}
	var err error
	if st.store, err = loopback.OpenStore(st.maildir, []string{st.demo.Name}); err != nil {
		return nil, err
	}
	if st.cert, err = loopback.SelfSignedCert(filepath.Join(dataDir, "tls"), certNames(loopback.DefaultDomain)); err != nil {
		return nil, err
	}
	return st, nil
}

// runEmbedded is mailsh without a target: it starts the built-in server
// and opens an SMTP session to it.
func runEmbedded(o *options, stdin io.Reader, stdout, stderr io.Writer) int {
	lb, err := startEmbedded()
	if err != nil {
		fmt.Fprintf(stderr, "mailsh: cannot start the built-in mail server: %v\n", err)
		fmt.Fprintln(stderr, "mailsh: hint: give a target such as smtp://localhost, or run mailsh serve --maildir DIR")
		return 1
	}
	defer lb.stop()
	fmt.Fprintf(stderr, "mailsh: built-in mail server: %s and %s (also %s, %s); mail is kept in %s\n",
		lb.smtp.URL(), lb.pop3.URL(), lb.smtps.URL(), lb.pop3s.URL(), lb.maildir)
	fmt.Fprintf(stderr, "mailsh: account %s, password %s, address %s@%s; mail to any address at any domain is caught in this mailbox (nothing is relayed)\n",
		lb.user, lb.password, lb.user, loopback.DefaultDomain)
	fmt.Fprintln(stderr, "mailsh: :connect pop3 reads the mail, :connect smtp comes back")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	return connectAndRun(ctx, o, lb.smtp, stdin, stdout, stderr, lb)
}

// apply fits a session to the built-in server: its TLS configuration also
// trusts the server's certificate (so STARTTLS works without --insecure),
// ":connect pop3" and friends reach the server's other sides, and :auth
// offers the demo user. It does nothing on a nil receiver, for sessions
// to other servers.
func (lb *loopbackSession) apply(cfg *tls.Config, s *shell.Session) {
	if lb == nil {
		return
	}
	if cfg.RootCAs == nil {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		cfg.RootCAs = pool
	}
	cfg.RootCAs.AddCert(lb.cert)
	s.Aliases = map[string]proto.Target{"smtp": lb.smtp, "pop3": lb.pop3, "pop": lb.pop3, "smtps": lb.smtps, "pop3s": lb.pop3s}
	if s.Opts.User == "" {
		s.Opts.User = lb.user
	}
	s.Opts.StayAfterQuit = true
	// MAIL FROM:< and RCPT TO:< offer the demo mailbox.
	s.Addresses = append(s.Addresses, lb.user+"@"+loopback.DefaultDomain)
}
