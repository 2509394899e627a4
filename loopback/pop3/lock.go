package pop3

import "errors"

// lockFileName is the file in a Maildir that POP3 sessions lock. Maildir
// readers ignore files beside cur/, new/ and tmp/.
const lockFileName = "mailsh-pop3.lock"

// ErrInUse means another POP3 session holds the maildrop (RFC 2449 §8.1.1).
var ErrInUse = errors.New("maildrop in use by another session")
