package main

import (
	"os"
	"path/filepath"
	"testing"
)

// replay's report quotes the server's reply and the transcript's lines:
// a hostile one reaches the terminal escaped.
func TestReplayEscapesReplies(t *testing.T) {
	t.Parallel()
	addr, _ := dialogServer(t, "+OK hi\r\n", "-ERR "+hostileText+"\r\n", "+OK bye\r\n")
	tr := filepath.Join(t.TempDir(), "session.txt")
	os.WriteFile(tr, []byte("# mailsh transcript 1\n# session: 1\n# target: pop3://"+addr+"\n# started: 2026-12-02T10:00:00.000Z\n\n"+
		"10:00:00.000001 S: +OK hi\n10:00:00.000002 C: CAPA\n10:00:00.000003 S: +OK recorded "+hostileText+"\n"+
		"10:00:00.000004 C: QUIT\n10:00:00.000005 S: +OK bye\n"), 0o600)
	r := mailsh(t, "", isolatedHome(t), "replay", tr)
	r.must(t, 1, "FAIL   2 CAPA", "- +OK recorded "+hostileShown, "+ -ERR "+hostileShown)
	checkEscaped(t, "the replay's report", r.stdout+r.stderr, 2)
}
