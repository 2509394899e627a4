package message

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Saved says what Save wrote.
type Saved struct {
	Part   *Part
	Path   string
	Bytes  int64
	SHA256 string
}

// ValidPartNumber reports whether s is a part number as :mime shows
// them: "1", "2", "2.1": up to 32 numbers joined by dots, each of one
// to six digits without a leading zero.
func ValidPartNumber(s string) bool {
	n := 0
	for num := range strings.SplitSeq(s, ".") {
		n++
		if n > 32 || num == "" || len(num) > 6 || num[0] == '0' {
			return false
		}
		for i := 0; i < len(num); i++ {
			if num[i] < '0' || num[i] > '9' {
				return false
			}
		}
	}
	return true
}

// Save decodes one part of the message read from r (base64 or
// quoted-printable, RFC 2045 §6.7, §6.8) and writes its octets to path,
// exactly, with no charset conversion. A message/rfc822 part is saved as
// the message it holds.
//
// The file appears whole or not at all: the part is written to a
// temporary file beside path, synced, and then linked or renamed to path.
// Save writes nothing but path (the part's own file name is never used:
// it comes from the message, and "../" in it would reach elsewhere). It
// refuses a directory, and an existing file unless force is set; a
// symbolic link at path is replaced, never followed.
func Save(r io.Reader, part, path string, force bool) (*Saved, error) {
	if !ValidPartNumber(part) {
		return nil, errorf(ErrNoPart, "", nil, "%q is not a part number (numbers look like 1, 2, 2.1: see the MIME tree)", clip(printable(part), 40))
	}
	if err := checkTarget(path, force); err != nil {
		return nil, err
	}
	var saved *Saved
	var numbers []string
	var failure error
	_, err := walk(r, walkOptions{visit: func(p *Part, body io.Reader) (bool, error) {
		if p.Number != "" && len(numbers) < 50 {
			numbers = append(numbers, p.Number)
		}
		if p.Number != part {
			return true, nil
		}
		if body == nil {
			failure = errorf(ErrNotLeaf, part, nil, "%s holds other parts (%s.1, …): save one of them", p.Type, part)
			return false, errStop
		}
		saved, failure = writeAtomic(path, force, func(w io.Writer) error {
			_, err := io.Copy(w, body)
			return err
		})
		if failure != nil {
			if !errors.As(failure, new(*Error)) {
				failure = errorf(ErrMalformed, part, nil, "%s: nothing written", decodeProblem(p, failure))
			}
			return false, errStop
		}
		saved.Part = p
		return false, errStop
	}})
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return nil, failure
	}
	if saved == nil {
		have := "no numbered parts"
		if len(numbers) > 0 {
			have = "parts " + strings.Join(numbers, ", ")
		}
		return nil, errorf(ErrNoPart, "", nil, "no part %s: the message has %s", part, have)
	}
	return saved, nil
}

// checkTarget refuses what Save must not write to.
func checkTarget(path string, force bool) error {
	if path == "" {
		return errorf(ErrIsDir, "", nil, "no file name given")
	}
	if strings.HasSuffix(path, string(os.PathSeparator)) {
		return errorf(ErrIsDir, "", nil, "%s names a directory: give a file name", path)
	}
	st, err := os.Lstat(path)
	switch {
	case err == nil && st.IsDir():
		return errorf(ErrIsDir, "", nil, "%s is a directory: give a file name", path)
	case err == nil && !force:
		return errorf(ErrExists, "", nil, "%s exists (use --force to overwrite it)", path)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return errorf(ErrIsDir, "", err, "cannot write in %s", dir)
	}
	return nil
}

// WriteFile writes a file the way Save does: whole or not at all, never
// through a symbolic link, refusing a directory, and refusing an existing
// file unless force is set. write produces the content.
func WriteFile(path string, force bool, write func(io.Writer) error) (*Saved, error) {
	if err := checkTarget(path, force); err != nil {
		return nil, err
	}
	return writeAtomic(path, force, write)
}

// writeAtomic writes into a temporary file in path's directory, then
// gives it path's name, so that nobody ever sees half a file.
func writeAtomic(path string, force bool, write func(io.Writer) error) (*Saved, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailsh-*.part")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, sum)}
	if err := write(cw); err != nil {
		return nil, err
	}
	n := cw.n
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := place(tmp.Name(), path, force); err != nil {
		return nil, err
	}
	done = true
	return &Saved{Path: path, Bytes: n, SHA256: hex.EncodeToString(sum.Sum(nil))}, nil
}

// place gives the finished temporary file its name. Without force a hard
// link does it, which fails if path appeared meanwhile; with force, a
// rename replaces what is there (a link itself, not its target).
func place(tmp, path string, force bool) error {
	if force {
		if st, err := os.Lstat(path); err == nil && st.IsDir() {
			return errorf(ErrIsDir, "", nil, "%s is a directory: give a file name", path)
		}
		return os.Rename(tmp, path)
	}
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return os.Remove(tmp)
	case errors.Is(err, os.ErrExist):
		return errorf(ErrExists, "", nil, "%s exists (use --force to overwrite it)", path)
	}
	// No hard links here (some file systems): check, then rename.
	if _, err := os.Lstat(path); err == nil {
		return errorf(ErrExists, "", nil, "%s exists (use --force to overwrite it)", path)
	}
	return os.Rename(tmp, path)
}
