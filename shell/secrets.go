package shell

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secrets supplies passwords and tokens. At a terminal they are asked for
// without echo; in script mode they come from a file or the environment,
// and a missing one is an error at once, never a prompt.
type Secrets interface {
	Secret(prompt string) (string, error)
}

// ScriptSecrets takes the secret from a file (--password-file) or from
// the MAILSH_PASSWORD environment variable.
type ScriptSecrets struct {
	File string
}

// ErrNoSecret is returned in script mode when no password was provided.
var ErrNoSecret = errors.New("a password is needed but script mode never prompts: set MAILSH_PASSWORD or give --password-file FILE")

// Secret returns the configured secret.
func (s ScriptSecrets) Secret(string) (string, error) {
	if s.File != "" {
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("cannot read the password file: %w", err)
		}
		// The first line is the password; a trailing newline is not part
		// of it.
		pw, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimSuffix(pw, "\r"), nil
	}
	if v, ok := os.LookupEnv("MAILSH_PASSWORD"); ok {
		return v, nil
	}
	return "", ErrNoSecret
}
