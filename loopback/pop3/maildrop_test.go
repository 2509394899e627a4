package pop3

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailsh/mailsh/loopback/internal/servertest"
)

// A message another program moved from new/ to cur/ during a session is
// still retrieved and deleted; its UIDL is the same in cur/.
func TestPOP3FollowsMovedMessage(t *testing.T) {
	ts := startServer(t, nil)
	servertest.Put(t, ts, "demo", "1000000000.M1P1.host,S=20,W=23", "Subject: x\n\nbody\n")
	c := servertest.Dial(t, ts.Addrs[Service])
	c.Converse(nil, servertest.POP3Greeting+`
C: USER demo
S: +OK *
C: PASS secret
S: +OK Logged in as demo: 1 messages (23 octets)*`)
	newPath := filepath.Join(ts.Root, "demo", "new", "1000000000.M1P1.host,S=20,W=23")
	curPath := filepath.Join(ts.Root, "demo", "cur", "1000000000.M1P1.host,S=20,W=23:2,S")
	if err := os.Rename(newPath, curPath); err != nil {
		t.Fatal(err)
	}
	c.Converse(nil, `
C: UIDL
S: +OK *
S: 1 1000000000.M1P1.host
S: .
C: RETR 1
S: +OK 23 octets
S: Subject: x
S: 
S: body
S: .
C: DELE 1
S: +OK *
C: QUIT
S: +OK localhost POP3 server signing off (1 messages deleted, 0 left)`)
	if servertest.Exists(curPath) {
		t.Error("moved message not deleted")
	}
}
