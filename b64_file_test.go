package main

import (
	"os"
	"path/filepath"
	"testing"
)

// :b64 -f and :unb64 -f encode and decode a file's bytes, as the others
// do text; what is not printable comes out escaped.
func TestB64File(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plain, encoded := filepath.Join(dir, "plain"), filepath.Join(dir, "encoded")
	os.WriteFile(plain, []byte("hello\n"), 0o600)
	os.WriteFile(encoded, []byte("aGVsbG8K\n"), 0o600)
	srv := startFakeSMTP(t)
	r := mailsh(t, ":b64 -f "+plain+"\n:unb64 -f "+encoded+"\nQUIT\n", isolatedHome(t), "smtp://"+srv.Addr)
	r.must(t, 0, "\naGVsbG8K\n", "\nhello\\n\n")
}
