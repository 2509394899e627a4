package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeCert makes a certificate for localhost, 127.0.0.1 and ::1 that is valid
// for the given time from now, and writes cert.pem and key.pem in dir.
// It returns the certificate's SHA-256 fingerprint as mailsh prints it.
func writeCert(t *testing.T, dir string, valid time.Duration) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "a test's own certificate"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(valid),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return fingerprint(der)
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s holds no PEM block", file)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// --cert and --key give the certificate that STARTTLS and the implicit-TLS
// ports present: its fingerprint is printed, and a client that trusts it
// alone completes the handshake.
func TestServeOwnCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fp := writeCert(t, dir, 30*24*time.Hour)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--cert", cert, "--key", key)
	if s.fingerprint != fp {
		t.Errorf("printed fingerprint %s, want the given certificate's %s", s.fingerprint, fp)
	}
	home := isolatedHome(t)
	mailsh(t, "EHLO me\nSTARTTLS\nEHLO me\nQUIT\n", home, "--cafile", cert, "smtp://"+s.smtp).must(t, 0, "* TLS started: TLS 1.3", "sha256 ")
	mailsh(t, "CAPA\nQUIT\n", home, "--cafile", cert, "pop3s://"+s.pop3s).must(t, 0, "* TLS started: TLS 1.3", "S: +OK")
}

// The self-signed certificate names localhost, 127.0.0.1, ::1 and the
// served domain; one that nears its expiry is made again at start-up,
// one that does not is kept.
func TestServeSelfSignedCertificate(t *testing.T) {
	t.Parallel()
	t.Run("names", func(t *testing.T) {
		t.Parallel()
		s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--domain", "mail.example.test")
		c := readCert(t, s.certFile)
		for _, n := range []string{"localhost", "mail.example.test"} {
			if !slices.Contains(c.DNSNames, n) {
				t.Errorf("the certificate does not name %s: %v", n, c.DNSNames)
			}
		}
		for _, ip := range []string{"127.0.0.1", "::1"} {
			if !slices.ContainsFunc(c.IPAddresses, func(a net.IP) bool { return a.Equal(net.ParseIP(ip)) }) {
				t.Errorf("the certificate does not name %s: %v", ip, c.IPAddresses)
			}
		}
		if s.fingerprint != fingerprint(c.Raw) {
			t.Errorf("printed fingerprint %s, the file's is %s", s.fingerprint, fingerprint(c.Raw))
		}
	})
	for _, c := range []struct {
		name  string
		valid time.Duration
		kept  bool
	}{
		{"expiring in 3 days", 3 * 24 * time.Hour, false},
		{"expired", -time.Minute, false},
		{"valid 30 days", 30 * 24 * time.Hour, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			old := writeCert(t, filepath.Join(data, "mailsh", "tls"), c.valid)
			s := startServe(t, []string{"XDG_DATA_HOME=" + data})
			if got := s.fingerprint == old; got != c.kept {
				t.Errorf("certificate kept: %v, want %v (printed %s, was %s)", got, c.kept, s.fingerprint, old)
			}
			if cert := readCert(t, s.certFile); time.Until(cert.NotAfter) < 7*24*time.Hour {
				t.Errorf("the certificate in use expires at %s", cert.NotAfter)
			}
		})
	}
}

// A certificate that cannot be read stops the start with status 1.
func TestServeUnreadableCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCert(t, dir, 30*24*time.Hour)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate\n"), 0o600)
	key := filepath.Join(dir, "key.pem")
	for _, cert := range []string{filepath.Join(dir, "missing.pem"), garbage} {
		r := mailsh(t, "", isolatedHome(t), "serve", "--smtp", "127.0.0.1:0", "--pop3", "off", "--imap", "off", "--cert", cert, "--key", key)
		r.must(t, 1, "mailsh serve: cannot load the TLS certificate "+cert+" with the key "+key+": ")
	}
}
