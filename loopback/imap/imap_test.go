package imap_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/mailsh/mailsh/loopback"
)

// rawSession speaks IMAP line by line, to see what a client is told.
func rawSession(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

func readUntil(t *testing.T, br *bufio.Reader, prefix string) string {
	t.Helper()
	var all strings.Builder
	for {
		l, err := br.ReadString('\n')
		all.WriteString(l)
		if err != nil {
			t.Fatalf("reading until %q: %v; got %q", prefix, err, all.String())
		}
		if strings.HasPrefix(l, prefix) {
			return all.String()
		}
	}
}

func TestLoginClearTextFromLoopback(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	c, br := rawSession(t, ts.imap)
	greeting := readUntil(t, br, "* OK")
	if !strings.Contains(greeting, "STARTTLS") || !strings.Contains(greeting, "AUTH=PLAIN") || strings.Contains(greeting, "LOGINDISABLED") {
		t.Errorf("greeting %q: want STARTTLS and AUTH=PLAIN, no LOGINDISABLED, from 127.0.0.1", greeting)
	}
	io.WriteString(c, "a1 LOGIN demo wrong\r\n")
	if got := readUntil(t, br, "a1 "); !strings.Contains(got, "a1 NO [AUTHENTICATIONFAILED] Invalid user name or password") {
		t.Errorf("wrong password: %q", got)
	}
	io.WriteString(c, "a2 LOGIN nobody secret\r\n")
	if got := readUntil(t, br, "a2 "); !strings.Contains(got, "a2 NO [AUTHENTICATIONFAILED] Invalid user name or password") {
		t.Errorf("unknown user: %q (must read as a wrong password does)", got)
	}
	io.WriteString(c, "a3 LOGIN demo secret\r\n")
	got := readUntil(t, br, "a3 ")
	if !strings.Contains(got, "* OK [ALERT] Your password crossed the connection in clear text") || !strings.Contains(got, "a3 OK") {
		t.Errorf("login: %q, want an ALERT about clear text and OK", got)
	}
	io.WriteString(c, "a4 CAPABILITY\r\n")
	got = readUntil(t, br, "a4 ")
	for _, want := range []string{"IMAP4rev2", "IMAP4rev1", "IDLE", "NAMESPACE", "UIDPLUS", "MOVE", "LITERAL+", "ENABLE", "UNSELECT"} {
		if !strings.Contains(got, " "+want) {
			t.Errorf("CAPABILITY %q lacks %s", got, want)
		}
	}
	io.WriteString(c, "a5 LOGOUT\r\n")
	readUntil(t, br, "a5 OK")
}

func TestTooManyFailedLogins(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	c, br := rawSession(t, ts.imap)
	readUntil(t, br, "* OK")
	for i := 1; i <= 2; i++ {
		io.WriteString(c, "a LOGIN demo wrong\r\n")
		readUntil(t, br, "a NO")
	}
	io.WriteString(c, "a LOGIN demo wrong\r\n")
	readUntil(t, br, "* BYE [AUTHENTICATIONFAILED] Too many failed logins")
	if _, err := br.ReadString('\n'); err == nil {
		for {
			if _, err := br.ReadString('\n'); err != nil {
				break
			}
		}
	}
}

func TestAuthenticatePlain(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	c, err := imapclient.DialInsecure(ts.imap, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(sasl.NewPlainClient("", user, "wrong")); err == nil {
		t.Fatal("AUTHENTICATE PLAIN with a wrong password succeeded")
	}
	if err := c.Authenticate(sasl.NewPlainClient("", user, pass)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
}

// With --require-tls (as from another machine) a plain connection says
// LOGINDISABLED, refuses LOGIN, and logs in after STARTTLS; IMAPS logs in
// at once.
func TestLoginNeedsTLS(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) { c.RequireTLS = true })
	c, br := rawSession(t, ts.imap)
	if g := readUntil(t, br, "* OK"); !strings.Contains(g, "LOGINDISABLED") || strings.Contains(g, "AUTH=") {
		t.Errorf("greeting %q: want LOGINDISABLED and no AUTH=", g)
	}
	io.WriteString(c, "a1 LOGIN demo secret\r\n")
	if got := readUntil(t, br, "a1 "); !strings.Contains(got, "a1 NO [PRIVACYREQUIRED]") {
		t.Errorf("LOGIN without TLS: %q", got)
	}
	sc, err := imapclient.DialStartTLS(ts.imap, &imapclient.Options{TLSConfig: ts.tls})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if err := sc.Login(user, pass).Wait(); err != nil {
		t.Fatalf("LOGIN after STARTTLS: %v", err)
	}
	ic, err := imapclient.DialTLS(ts.imaps, &imapclient.Options{TLSConfig: ts.tls})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login(user, pass).Wait(); err != nil {
		t.Fatalf("LOGIN over IMAPS: %v", err)
	}
}

func TestConnectionsPerClient(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"), func(c *loopback.Config) { c.Limits.MaxClientConnections = 1 })
	_, br := rawSession(t, ts.imap)
	readUntil(t, br, "* OK")
	_, br2 := rawSession(t, ts.imap)
	if got := readUntil(t, br2, "* "); !strings.HasPrefix(got, "* BYE [UNAVAILABLE] too many connections from 127.0.0.1") {
		t.Errorf("second connection: %q", got)
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "first", "line one\r\nline two\r\n")
	ts.send(t, "second", "hello\r\n")
	c := ts.login(t, nil)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 2 || sel.UIDNext != 3 || sel.UIDValidity == 0 {
		t.Fatalf("SELECT: %+v", sel)
	}
	if n := files(t, filepath.Join(ts.maildir(), "new")); len(n) != 0 {
		t.Errorf("new/ after SELECT: %v (want every message moved to cur/)", n)
	}
	cur := files(t, filepath.Join(ts.maildir(), "cur"))
	if len(cur) != 2 || !strings.HasSuffix(cur[0], ":2,") {
		t.Errorf("cur/ after SELECT: %v", cur)
	}
	peek := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{
		UID: true, Flags: true, RFC822Size: true, Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection: []*imap.FetchItemBodySection{peek, {Specifier: imap.PartSpecifierHeader, Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	file, err := os.ReadFile(filepath.Join(ts.maildir(), "cur", cur[0]))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("\r\n")) {
		t.Errorf("the Maildir file has CRLF: files keep LF")
	}
	wire := bytes.ReplaceAll(file, []byte("\n"), []byte("\r\n"))
	body := m.FindBodySection(peek)
	if !bytes.Equal(body, wire) {
		t.Errorf("BODY.PEEK[] = %q, want the file with CRLF %q", body, wire)
	}
	if m.RFC822Size != int64(len(wire)) {
		t.Errorf("RFC822.SIZE = %d, want %d (the CRLF size)", m.RFC822Size, len(wire))
	}
	if !strings.Contains(cur[0], ",W="+itoa(len(wire))) {
		t.Errorf("file name %s lacks ,W=%d", cur[0], len(wire))
	}
	if m.UID != 1 || len(m.Flags) != 0 {
		t.Errorf("UID %d FLAGS %v, want 1 and none", m.UID, m.Flags)
	}
	if m.Envelope == nil || m.Envelope.Subject != "first" || len(m.Envelope.From) != 1 || m.Envelope.From[0].Addr() != "alice@example.org" {
		t.Errorf("ENVELOPE %+v", m.Envelope)
	}
	if bs, ok := m.BodyStructure.(*imap.BodyStructureSinglePart); !ok || bs.MediaType() != "text/plain" {
		t.Errorf("BODYSTRUCTURE %#v", m.BodyStructure)
	}
	hdr := m.FindBodySection(&imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, Peek: true})
	if !bytes.Contains(hdr, []byte("\r\nSubject: first\r\n")) || !bytes.HasSuffix(hdr, []byte("\r\n\r\n")) {
		t.Errorf("BODY.PEEK[HEADER] = %q", hdr)
	}
	// BODY[] without PEEK sets \Seen, in the file name too.
	msgs, err = c.Fetch(imap.UIDSetNum(2), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Errorf("FETCH BODY[] flags %v, want \\Seen", msgs[0].Flags)
	}
	seen := 0
	for _, n := range files(t, filepath.Join(ts.maildir(), "cur")) {
		if strings.HasSuffix(n, ":2,S") {
			seen++
		}
	}
	if seen != 1 {
		t.Errorf("cur/ %v: want one file :2,S", files(t, filepath.Join(ts.maildir(), "cur")))
	}
}

func TestStoreSearchExpunge(t *testing.T) {
	t.Parallel()
	ts := startServer(t, filepath.Join(t.TempDir(), "Maildir"))
	ts.send(t, "apples", "red\r\n")
	ts.send(t, "pears", "green\r\n")
	ts.send(t, "plums", "purple\r\n")
	c := ts.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagAnswered, imap.FlagDraft}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	var infos []string
	for _, n := range files(t, filepath.Join(ts.maildir(), "cur")) {
		_, info, _ := strings.Cut(n, ":2,")
		infos = append(infos, info)
	}
	slices.Sort(infos)
	if want := []string{"", "DR", "FS"}; !slices.Equal(infos, want) {
		t.Errorf("info flags in names %q, want %q", infos, want)
	}
	cases := []struct {
		name string
		c    imap.SearchCriteria
		want []uint32
	}{
		{"ALL", imap.SearchCriteria{}, []uint32{1, 2, 3}},
		{"SEEN", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, []uint32{1}},
		{"UNSEEN", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, []uint32{2, 3}},
		{"UID 2:*", imap.SearchCriteria{UID: []imap.UIDSet{{{Start: 2, Stop: 0}}}}, []uint32{2, 3}},
		{"SUBJECT pear", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "PEAR"}}}, []uint32{2}},
		{"FROM alice", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "alice@"}}}, []uint32{1, 2, 3}},
		{"BODY purple", imap.SearchCriteria{Body: []string{"purple"}}, []uint32{3}},
		{"NOT FLAGGED", imap.SearchCriteria{Not: []imap.SearchCriteria{{Flag: []imap.Flag{imap.FlagFlagged}}}}, []uint32{2, 3}},
	}
	for _, tc := range cases {
		d, err := c.Search(&tc.c, nil).Wait()
		if err != nil {
			t.Fatalf("SEARCH %s: %v", tc.name, err)
		}
		if got := d.AllSeqNums(); !slices.Equal(got, tc.want) {
			t.Errorf("SEARCH %s = %v, want %v", tc.name, got, tc.want)
		}
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagDraft}}, nil).Wait()
	if err != nil || !slices.Equal(d.AllUIDs(), []imap.UID{3}) {
		t.Errorf("UID SEARCH DRAFT = %v, %v", d.AllUIDs(), err)
	}
	if _, err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	exp, err := c.Expunge().Collect()
	if err != nil || !slices.Equal(exp, []uint32{2}) {
		t.Fatalf("EXPUNGE = %v, %v; want [2]", exp, err)
	}
	if n := files(t, filepath.Join(ts.maildir(), "cur")); len(n) != 2 {
		t.Errorf("cur/ after EXPUNGE: %v", n)
	}
	// UID EXPUNGE removes only the UIDs given.
	c.Store(imap.SeqSetNum(1, 2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
	exp, err = c.UIDExpunge(imap.UIDSetNum(3)).Collect()
	if err != nil || !slices.Equal(exp, []uint32{2}) {
		t.Fatalf("UID EXPUNGE 3 = %v, %v; want [2]", exp, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
