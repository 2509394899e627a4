package loopback

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// DataDir is where mailsh keeps the server's files when no flag says
// otherwise: $XDG_DATA_HOME/mailsh, by default ~/.local/share/mailsh (the
// XDG Base Directory Specification). It holds Maildir/ (the mail), tls/
// (the self-signed certificate) and demo-password.
func DataDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "mailsh"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("no home directory to keep mail in: give --maildir, or set XDG_DATA_HOME")
	}
	return filepath.Join(home, ".local", "share", "mailsh"), nil
}

// DemoUser is the name of the account made when none is given.
const DemoUser = "demo"

// DemoAccount returns the demo account. Its password is kept in
// dataDir/demo-password, made at random the first time, so that it stays
// the same from one run to the next (and can be changed by editing the
// file). If the file cannot be written, the password is new each run.
func DemoAccount(dataDir string) Account {
	p := filepath.Join(dataDir, "demo-password")
	if b, err := os.ReadFile(p); err == nil {
		if pw, _, _ := strings.Cut(string(b), "\n"); strings.TrimSpace(pw) != "" {
			return Account{Name: DemoUser, Password: strings.TrimSpace(pw)}
		}
	}
	pw := randomPassword()
	if os.MkdirAll(dataDir, 0o700) == nil {
		WriteFileAtomic(p, []byte(pw+"\n"), 0o600)
	}
	return Account{Name: DemoUser, Password: pw}
}

// randomPassword makes a password that is easy to read and type: three
// groups of four letters and digits, without look-alikes (0/o, 1/l/i).
func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	var b [12]byte
	rand.Read(b[:])
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return s.String()
}
