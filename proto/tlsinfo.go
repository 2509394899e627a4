package proto

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// TLSError is a failed TLS handshake, with the reason in words a person
// can act on.
type TLSError struct {
	Err error
	// Proto is the protocol spoken, for the hint about a server that
	// answers in clear text; 0 if not known.
	Proto Protocol
}

func (e *TLSError) Error() string {
	var rec tls.RecordHeaderError
	if errors.As(e.Err, &rec) && e.Proto != nil {
		if sp := e.Proto.Spec(); sp.StartTLS != "" {
			return fmt.Sprintf("TLS handshake failed: the server does not speak TLS here (it answered in clear text: try %s:// with --starttls)", sp.Scheme)
		}
	}
	return "TLS handshake failed: " + TLSReason(e.Err)
}

// Unwrap returns the underlying crypto/tls or crypto/x509 error.
func (e *TLSError) Unwrap() error { return e.Err }

// TLSReason explains why certificate verification or a handshake failed:
// expired, wrong name, unknown authority, and so on.
func TLSReason(err error) string {
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	var unk x509.UnknownAuthorityError
	var verr *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return "the server does not speak TLS here (it answered in clear text: try the plain scheme, such as smtp://, with --starttls)"
	}
	if errors.Is(err, io.EOF) {
		return "the server closed the connection during the handshake"
	}
	if errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0 && errors.As(verr.Err, &unk) {
		leaf := verr.UnverifiedCertificates[0]
		return fmt.Sprintf("certificate signed by unknown authority (issuer %q; self-signed or private CA: use --cafile FILE, or --insecure to skip the check)", leaf.Issuer.String())
	}
	switch {
	case errors.As(err, &inv):
		switch inv.Reason {
		case x509.Expired:
			c := inv.Cert
			if time.Now().Before(c.NotBefore) {
				return fmt.Sprintf("certificate not yet valid (valid from %s)", c.NotBefore.UTC().Format(time.RFC3339))
			}
			return fmt.Sprintf("certificate expired on %s", c.NotAfter.UTC().Format(time.RFC3339))
		case x509.NotAuthorizedToSign:
			return "certificate chain has a certificate not authorised to sign"
		case x509.IncompatibleUsage:
			return "certificate not valid for server authentication"
		}
		return "invalid certificate: " + inv.Error()
	case errors.As(err, &host):
		names := host.Certificate.DNSNames
		for _, ip := range host.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 && host.Certificate.Subject.CommonName != "" {
			names = []string{host.Certificate.Subject.CommonName}
		}
		return fmt.Sprintf("wrong name: certificate is for %s, not %s", strings.Join(names, ", "), host.Host)
	case errors.As(err, &unk):
		return "certificate signed by unknown authority (self-signed or private CA: use --cafile FILE, or --insecure to skip the check)"
	}
	return err.Error()
}

// Fingerprint is the SHA-256 fingerprint of a certificate, in the
// colon-separated hex form browsers and openssl show.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// DescribeTLS says in one line what a TLS connection is: version, cipher
// suite, and the server certificate's subject and fingerprint.
func DescribeTLS(st *tls.ConnectionState) string {
	s := fmt.Sprintf("%s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) > 0 {
		leaf := st.PeerCertificates[0]
		s += fmt.Sprintf(", cert CN=%s, sha256 %s", leaf.Subject.CommonName, Fingerprint(leaf))
	}
	return s
}
