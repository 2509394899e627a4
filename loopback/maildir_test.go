package loopback

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// failingFile fails its writes after a number of bytes, as a full disk
// does.
type failingFile struct {
	*os.File
	left int
	err  error
}

func (f *failingFile) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, f.err
	}
	f.left -= len(p)
	return f.File.Write(p)
}

// A full disk in the middle of a message: 452 4.3.1, nothing in new/,
// nothing left in tmp/, and the session goes on.
func TestDeliveryDiskFull(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"full", syscall.ENOSPC, "S: 452 4.3.1 Insufficient system storage: the mailbox disk is full; nothing was delivered, try again later"},
		{"io error", syscall.EIO, "S: 451 4.3.0 Local error in processing: the message could not be stored; nothing was delivered, try again later"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) {
				c.Store.create = func(name string) (file, error) {
					f, err := createFile(name)
					if err != nil {
						return nil, err
					}
					return &failingFile{File: f.(*os.File), left: 300, err: tt.err}, nil
				}
			})
			c := dial(t, ts.Addrs[SMTP])
			c.converse(nil, `
S: 220 *
C: HELO me
S: 250 *
C: MAIL FROM:<a@b.example>
S: 250 *
C: RCPT TO:<demo@localhost>
S: 250 *
C: DATA
S: 354 *
C: `+strings.Repeat("x", 900)+`
C: `+strings.Repeat("y", 900)+`
C: .
`+tt.want+`
C: NOOP
S: 250 *`)
			if n := len(maildirFiles(t, ts.Root, "demo", "new")); n != 0 {
				t.Errorf("%d files in new/", n)
			}
			if n := len(maildirFiles(t, ts.Root, "demo", "tmp")); n != 0 {
				t.Errorf("%d files left in tmp/", n)
			}
		})
	}
}

func TestDeliveryCopies(t *testing.T) {
	s, err := OpenStore(t.TempDir(), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	env := &Envelope{ID: "X1", From: "s@x", Domain: "localhost", Time: time.Unix(1e9, 0),
		Recipients: []Recipient{{"a@localhost", "a"}, {"b@localhost", "b"}, {"c@localhost", "b"}}}
	d, err := s.Begin(env, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("Subject: s\r\n\r\n"))
	d.Write([]byte(strings.Repeat("line\r\n", 50000)))
	paths, err := d.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("%d copies, want 2 (one per mailbox)", len(paths))
	}
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		size, vsize := int64(len(b)), int64(len(b)+strings.Count(string(b), "\n"))
		if want := sizedName(uniquePart(filepath.Base(p)), size, vsize); filepath.Base(p) != want {
			t.Errorf("name %s, want %s", filepath.Base(p), want)
		}
		if !strings.HasSuffix(string(b), "Subject: s\nDate: Sun, 09 Sep 2001 01:46:40 +0000\nFrom: s@x\nMessage-ID: <X1@localhost>\n\n"+strings.Repeat("line\n", 50000)) {
			t.Errorf("%s: wrong text", p)
		}
	}
	b, _ := os.ReadFile(paths[1])
	if !strings.HasPrefix(string(b), "Return-Path: <s@x>\nDelivered-To: b@localhost\nDelivered-To: c@localhost\nReceived") {
		t.Errorf("b's copy starts %q", b[:100])
	}
}

func TestDeliveryAbortLeavesNothing(t *testing.T) {
	s, _ := OpenStore(t.TempDir(), []string{"a"})
	d, err := s.Begin(&Envelope{ID: "X", Recipients: []Recipient{{"a@l", "a"}}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("partial"))
	d.Abort()
	for _, sub := range []string{"new", "tmp", "cur"} {
		if n := len(maildirFiles(t, s.Root, "a", sub)); n != 0 {
			t.Errorf("%d files in %s/", n, sub)
		}
	}
}

// Files older than 36 hours in tmp/ are left over from a crash and go;
// newer ones may be a delivery in progress and stay.
func TestOpenStoreCleansTmp(t *testing.T) {
	root := t.TempDir()
	s, _ := OpenStore(root, []string{"a"})
	old, fresh := filepath.Join(s.Maildir("a"), "tmp", "old"), filepath.Join(s.Maildir("a"), "tmp", "fresh")
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	past := time.Now().Add(-37 * time.Hour)
	os.Chtimes(old, past, past)
	if _, err := OpenStore(root, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if exists(old) || !exists(fresh) {
		t.Errorf("old kept: %v, fresh kept: %v", exists(old), exists(fresh))
	}
}

// A message another program moved from new/ to cur/ during a session is
// still retrieved and deleted; its UIDL is the same in cur/.
func TestPOP3FollowsMovedMessage(t *testing.T) {
	ts := startServer(t, nil)
	put(t, ts, "demo", "1000000000.M1P1.host,S=20,W=23", "Subject: x\n\nbody\n")
	c := dial(t, ts.Addrs[POP3])
	c.converse(nil, pop3Greeting+`
C: USER demo
S: +OK *
C: PASS secret
S: +OK Logged in as demo: 1 messages (23 octets)*`)
	newPath := filepath.Join(ts.Root, "demo", "new", "1000000000.M1P1.host,S=20,W=23")
	curPath := filepath.Join(ts.Root, "demo", "cur", "1000000000.M1P1.host,S=20,W=23:2,S")
	if err := os.Rename(newPath, curPath); err != nil {
		t.Fatal(err)
	}
	c.converse(nil, `
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
	if exists(curPath) {
		t.Error("moved message not deleted")
	}
}

func TestMaildropNames(t *testing.T) {
	if !lessName("999999999.M5P1.h", "1000000000.M1P1.h") || !lessName("1000000000.M2P1.h", "1000000000.M10P1.h") {
		t.Error("lessName does not order by time")
	}
	long := strings.Repeat("x", 80)
	if u := uidFor(long); len(u) != 32 || u != uidFor(long+",S=1:2,S") {
		t.Errorf("uidFor(long) = %q", u)
	}
	if u := uidFor("a b"); u == "a b" {
		t.Error("UIDL with a space")
	}
	if n, ok := nameVSize("1.M1.h,S=10,W=12:2,S"); !ok || n != 12 {
		t.Errorf("nameVSize = %d %v", n, ok)
	}
	if _, ok := nameVSize("1.M1.h:2,S"); ok {
		t.Error("nameVSize found a size in flags")
	}
	if maildirHost("a/b:c,d") != `a\057b\072c\054d` {
		t.Error(maildirHost("a/b:c,d"))
	}
	if _, err := OpenStore(t.TempDir(), []string{"../escape"}); err == nil {
		t.Error("account name with a slash accepted")
	}
	var se *StoreError
	_, err := OpenStore("/proc/forbidden/x", nil)
	if !errors.As(err, &se) {
		t.Errorf("OpenStore error %v is not a *StoreError", err)
	}
}
