// Package builtin starts the built-in mail server that mailsh with no
// arguments opens a session to: SMTP, POP3 and their implicit-TLS twins, and IMAP, on
// free ports of 127.0.0.1, one demo account that catches every recipient,
// over the Maildir of the data directory that mailsh serve uses.
package builtin

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mailsh/mailsh/loopback"
	"github.com/mailsh/mailsh/loopback/imap"
	"github.com/mailsh/mailsh/loopback/pop3"
	"github.com/mailsh/mailsh/loopback/smtp"
	"github.com/mailsh/mailsh/proto"
	imapproto "github.com/mailsh/mailsh/proto/imap"
	pop3proto "github.com/mailsh/mailsh/proto/pop3"
	smtpproto "github.com/mailsh/mailsh/proto/smtp"
)

// Server is the running built-in server: where its four sides listen,
// the certificate to trust, and the demo account.
type Server struct {
	SMTP, POP3, IMAP, SMTPS, POP3S, IMAPS proto.Target
	Cert                                  *x509.Certificate
	User, Password                        string
	// Address is the demo mailbox's address.
	Address string
	// Maildir is where the mail is kept.
	Maildir string

	stop func()
}

// Stop shuts the server down, letting transfers under way finish for a
// few seconds.
func (s *Server) Stop() { s.stop() }

// Start starts the server, delivering into the Maildir of the data
// directory, or into a temporary one if that cannot be written.
func Start() (*Server, error) {
	var cleanup func()
	dataDir, err := loopback.DataDir()
	var st *store
	if err == nil {
		st, err = openStore(dataDir)
	}
	if err != nil {
		// A read-only home, say: keep this session's mail in a
		// temporary directory instead.
		tmp, terr := os.MkdirTemp("", "mailsh-loopback")
		if terr != nil {
			return nil, err
		}
		cleanup = func() { os.RemoveAll(tmp) }
		if st, err = openStore(tmp); err != nil {
			cleanup()
			return nil, err
		}
	}
	fail := func(err error) (*Server, error) {
		if cleanup != nil {
			cleanup()
		}
		return nil, err
	}
	srv, err := loopback.New(loopback.Config{
		Accounts: []loopback.Account{st.demo},
		// A mail catcher: the lecture's "rcpt to: antunes@ipleiria.pt"
		// lands in the demo mailbox too.
		CatchAll:         st.demo.Name,
		CatchEveryDomain: true,
		Store:            st.store,
		TLS:              st.cert.ServerConfig(),
	})
	if err != nil {
		return fail(err)
	}
	free := "127.0.0.1:0"
	a, err := srv.Start(loopback.Addrs{smtp.Service: free, pop3.Service: free, smtp.ServiceTLS: free, pop3.ServiceTLS: free})
	if err != nil {
		return fail(err)
	}
	imapSrv := imap.New(srv)
	ia, err := imapSrv.Start(loopback.Addrs{imap.Service: free, imap.ServiceTLS: free})
	if err != nil {
		srv.Close()
		return fail(err)
	}
	target := func(p proto.Protocol, addr string, implicit bool) proto.Target {
		host, port, _ := strings.Cut(addr, ":")
		n, _ := proto.ParsePort(port)
		return proto.Target{Proto: p, Host: host, Port: n, ImplicitTLS: implicit}
	}
	return &Server{
		SMTP:     target(smtpproto.Protocol, a[smtp.Service], false),
		POP3:     target(pop3proto.Protocol, a[pop3.Service], false),
		SMTPS:    target(smtpproto.Protocol, a[smtp.ServiceTLS], true),
		POP3S:    target(pop3proto.Protocol, a[pop3.ServiceTLS], true),
		IMAP:     target(imapproto.Protocol, ia[imap.Service], false),
		IMAPS:    target(imapproto.Protocol, ia[imap.ServiceTLS], true),
		Cert:     st.cert.Leaf,
		User:     st.demo.Name,
		Password: st.demo.Password,
		Address:  st.demo.Name + "@" + loopback.DefaultDomain,
		Maildir:  st.maildir,
		stop: func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			imapDone := make(chan struct{})
			go func() {
				imapSrv.Shutdown(ctx)
				close(imapDone)
			}()
			srv.Shutdown(ctx)
			<-imapDone
			if cleanup != nil {
				cleanup()
			}
		},
	}, nil
}

// store is the built-in server's mail, account and certificate.
type store struct {
	demo    loopback.Account
	store   *loopback.Store
	cert    *loopback.Cert
	maildir string
}

// openStore sets up the data directory: the demo account, its Maildir and
// the self-signed certificate.
func openStore(dataDir string) (*store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	st := &store{demo: loopback.DemoAccount(dataDir), maildir: filepath.Join(dataDir, "Maildir")}
	var err error
	if st.store, err = loopback.OpenStore(st.maildir, []string{st.demo.Name}); err != nil {
		return nil, err
	}
	if st.cert, err = loopback.SelfSignedCert(filepath.Join(dataDir, "tls"), loopback.CertNames(loopback.DefaultDomain)); err != nil {
		return nil, err
	}
	return st, nil
}
