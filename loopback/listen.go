package loopback

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"
)

// Addrs are listeners' addresses by the service each serves; a service
// left out is not served.
type Addrs map[*Service]string

// Start listens on the addresses given and serves each in the background
// until Shutdown or Close. It returns the addresses bound, with the port
// the system chose where the address asked for port 0. If one address
// cannot be bound, none is served.
func (s *Server) Start(a Addrs) (Addrs, error) {
	bound := Addrs{}
	var ls []net.Listener
	var svcs, served []*Service
	for svc, addr := range a {
		if addr == "" {
			continue
		}
		if svc.Protocol == nil {
			return nil, fmt.Errorf("%s is not served by this server", svc)
		}
		served = append(served, svc)
	}
	// Clear-text services first, each kind by name, so that the order of
	// binding (and so which error is told) does not change from run to run.
	slices.SortFunc(served, func(x, y *Service) int {
		if x.ImplicitTLS != y.ImplicitTLS {
			if x.ImplicitTLS {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.Name, y.Name)
	})
	for _, svc := range served {
		addr := a[svc]
		if svc.ImplicitTLS && s.cfg.TLS == nil {
			closeAll(ls)
			return nil, errors.New("implicit TLS needs a certificate")
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll(ls)
			return nil, err
		}
		ls, svcs = append(ls, l), append(svcs, svc)
		bound[svc] = l.Addr().String()
	}
	for i, l := range ls {
		svc := svcs[i]
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
