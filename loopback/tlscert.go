package loopback

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Cert is the server's TLS certificate, with what a user needs to check it
// and a client needs to trust it.
type Cert struct {
	TLS  tls.Certificate
	Leaf *x509.Certificate
	// CertFile and KeyFile are where it is kept, as PEM.
	CertFile, KeyFile string
	// SelfSigned is true for a certificate this package made.
	SelfSigned bool
}

// LoadCert loads a certificate and key given as PEM files.
func LoadCert(certFile, keyFile string) (*Cert, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("cannot load the TLS certificate %s with the key %s: %w", certFile, keyFile, err)
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("cannot parse the TLS certificate %s: %w", certFile, err)
	}
	c.Leaf = leaf
	return &Cert{TLS: c, Leaf: leaf, CertFile: certFile, KeyFile: keyFile}, nil
}

// SelfSignedCert returns the self-signed certificate kept in dir
// (cert.pem, key.pem), making a new one if there is none, if it expires
// within a week, or if it does not cover all of names (host names and IP
// addresses). Keeping it means that its fingerprint, and any trust a user
// gave it, survive restarts.
func SelfSignedCert(dir string, names []string) (*Cert, error) {
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if c, err := LoadCert(certFile, keyFile); err == nil && time.Until(c.Leaf.NotAfter) > 7*24*time.Hour && covers(c.Leaf, names) {
		c.SelfSigned = true
		return c, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot keep a TLS certificate in %s: %w", dir, err)
	}
	certPEM, keyPEM, err := makeSelfSigned(names)
	if err != nil {
		return nil, err
	}
	// Written under temporary names and renamed, so that a second server
	// starting at the same moment never reads half a file.
	if err := WriteFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return nil, err
	}
	if err := WriteFileAtomic(certFile, certPEM, 0o644); err != nil {
		return nil, err
	}
	c, err := LoadCert(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	c.SelfSigned = true
	return c, nil
}

// makeSelfSigned makes an ECDSA P-256 certificate valid for a year. It is
// its own issuer, marked as a CA, so that clients told to trust it (curl
// --cacert, Python's cafile, mailsh's pool) accept it as an anchor.
func makeSelfSigned(names []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailsh loopback server", Organization: []string{"mailsh"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// covers reports whether a certificate names all of names.
func covers(c *x509.Certificate, names []string) bool {
	for _, n := range names {
		if c.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

// Fingerprint is the SHA-256 of the certificate, as "AB:CD:…", the form
// openssl x509 -fingerprint -sha256 and mailsh's :tls print.
func (c *Cert) Fingerprint() string {
	sum := sha256.Sum256(c.Leaf.Raw)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexes, ":")
}

// Pool returns a pool that trusts the certificate: for a self-signed one,
// the certificate itself.
func (c *Cert) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.Leaf)
	return p
}

// ServerConfig returns a TLS configuration serving the certificate.
func (c *Cert) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.TLS}, MinVersion: tls.VersionTLS12}
}

// errNoCert is returned when a key is given without a certificate or the
// reverse.
var errNoCert = errors.New("give both --cert and --key, or neither")

// CertFromFlags loads --cert/--key if given, else the self-signed
// certificate kept in dir for names.
func CertFromFlags(certFile, keyFile, dir string, names []string) (*Cert, error) {
	switch {
	case certFile != "" && keyFile != "":
		return LoadCert(certFile, keyFile)
	case certFile != "" || keyFile != "":
		return nil, errNoCert
	}
	return SelfSignedCert(dir, names)
}

// CertNames are the names the self-signed certificate covers: this
// machine's loopback names and the served domain.
func CertNames(domain string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if !strings.EqualFold(domain, "localhost") {
		names = append(names, domain)
	}
	return names
}
