package loopback

import (
	"errors"
	"net"
	"time"
)

// Addrs are the addresses of the four listeners; "" leaves one off.
type Addrs struct {
	SMTP, POP3, SMTPS, POP3S string
}

// Start listens on the addresses given and serves each in the background
// until Shutdown or Close. It returns the addresses bound, with the port
// the system chose where the address asked for port 0. If one address
// cannot be bound, none is served.
func (s *Server) Start(a Addrs) (Addrs, error) {
	type job struct {
		addr *string
		svc  Service
	}
	var bound Addrs
	jobs := []job{{&bound.SMTP, SMTP}, {&bound.POP3, POP3}, {&bound.SMTPS, SMTPS}, {&bound.POP3S, POP3S}}
	want := []string{a.SMTP, a.POP3, a.SMTPS, a.POP3S}
	var ls []net.Listener
	for i, j := range jobs {
		if want[i] == "" {
			continue
		}
		if j.svc.implicit() && s.cfg.TLS == nil {
			closeAll(ls)
			return Addrs{}, errors.New("implicit TLS needs a certificate")
		}
		l, err := net.Listen("tcp", want[i])
		if err != nil {
			closeAll(ls)
			return Addrs{}, err
		}
		ls = append(ls, l)
		*j.addr = l.Addr().String()
	}
	k := 0
	for i, j := range jobs {
		if want[i] == "" {
			continue
		}
		l, svc := ls[k], j.svc
		k++
		go func() {
			if err := s.Serve(l, svc); err != nil {
				s.logf("%s listener on %s stopped: %v", svc, l.Addr(), err)
			}
		}()
	}
	return bound, nil
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

// AcceptLoop accepts connections on l and hands each to handle, until
// stopping says the server is shutting down (nil then) or l is closed.
// Another error (out of file descriptors, a connection reset before it
// was accepted) is retried after a growing pause, as net/http does,
// rather than ending the service. Every protocol's listener runs it.
func AcceptLoop(l net.Listener, stopping func() bool, logf func(format string, args ...any), handle func(net.Conn)) error {
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if stopping() {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			logf("accept on %s: %v; retrying in %s", l.Addr(), err, backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		handle(nc)
	}
}
