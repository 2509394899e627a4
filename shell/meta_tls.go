package shell

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mailsh/mailsh/proto"
)

func (s *Session) metaTLS(_ context.Context, _ []string) error {
	if s.Client == nil {
		return errors.New("not connected")
	}
	st := s.Client.TLS()
	if st == nil {
		if _, err := s.Client.CanStartTLS(); err != nil {
			s.P.Plain("the connection is not encrypted (clear text)\n")
		} else {
			s.P.Plain("the connection is not encrypted (clear text); use :starttls\n")
		}
		return nil
	}
	s.P.Plain("protocol: %s\ncipher:   %s\n", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if st.NegotiatedProtocol != "" {
		s.P.Plain("ALPN:     %s\n", st.NegotiatedProtocol)
	}
	if st.ServerName != "" {
		s.P.Plain("server name sent: %s\n", st.ServerName)
	} else {
		// RFC 6066 §3: SNI carries host names only, never an address.
		s.P.Plain("server name sent: none (the host is an address, which TLS does not send)\n")
	}
	verified := "verified"
	if len(st.VerifiedChains) == 0 {
		verified = "NOT verified (--insecure)"
	}
	s.P.Plain("certificate chain (%s):\n", verified)
	for i, c := range st.PeerCertificates {
		left := time.Until(c.NotAfter).Round(time.Hour)
		expiry := c.NotAfter.UTC().Format("2006-01-02")
		if left < 0 {
			expiry += " (EXPIRED)"
		} else {
			expiry += " (" + humanDays(left) + " left)"
		}
		s.P.Plain("  %d subject: %s\n    issuer:  %s\n    valid:   %s to %s\n    sha256:  %s\n",
			i, c.Subject, c.Issuer, c.NotBefore.UTC().Format("2006-01-02"), expiry, proto.Fingerprint(c))
		if i == 0 && (len(c.DNSNames) > 0 || len(c.IPAddresses) > 0) {
			names := append([]string(nil), c.DNSNames...)
			for _, ip := range c.IPAddresses {
				names = append(names, ip.String())
			}
			s.P.Plain("    names:   %s\n", strings.Join(names, ", "))
		}
	}
	return nil
}

func humanDays(d time.Duration) string {
	if days := int(d.Hours() / 24); days != 1 {
		return fmt.Sprintf("%d days", days)
	}
	return "1 day"
}
