package loopback

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// ReadUsersFile reads --users-file: one NAME:PASSWORD a line, blank lines
// and lines starting with # skipped. Unlike --user, the passwords stay
// out of the process list, which every local user can read; so the file
// is refused if anyone but its owner may read or write it, as ssh refuses
// a private key that is "too open".
func ReadUsersFile(name string) ([]Account, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--users-file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--users-file: %w", err)
	}
	// Windows has no such permission bits; its ACLs are left to the user.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("--users-file %s: permissions %04o are too open: other users may read or change the passwords; chmod 600 %s", name, perm, name)
	}
	var accounts []Account
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a, err := ParseAccount(line)
		if err != nil {
			// The line may hold a password: name the line, not its text.
			return nil, fmt.Errorf("--users-file %s, line %d: %v", name, n, err)
		}
		accounts = append(accounts, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--users-file %s: %w", name, err)
	}
	if len(accounts) == 0 {
		return nil, fmt.Errorf("--users-file %s: no account in it (lines NAME:PASSWORD)", name)
	}
	return accounts, nil
}
