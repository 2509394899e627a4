package transcript

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/protocols"
)

// ReplayOptions configure Replay.
type ReplayOptions struct {
	// Targets, by protocol, replace the recorded targets (to replay a
	// session against another server). Nil uses the recorded ones.
	Targets map[proto.Protocol]proto.Target
	Dial    proto.DialOptions
	// Secret supplies what a transcript redacted: "password", "user",
	// "token". It may ask a person, read flags, or fail.
	Secret func(name string) (string, error)
	// Out receives the report.
	Out io.Writer
}

// ReplayResult counts the steps replayed and those whose reply differed.
type ReplayResult struct {
	Steps, Differ int
	// First is the first differing step, described.
	First string
}

// OK reports whether every reply matched.
func (r ReplayResult) OK() bool { return r.Differ == 0 }

// Replay sends the client lines of the transcript at path to a server and
// checks that each reply has the code that was recorded: a regression test
// for a mail server. Message text is sent as recorded; secrets that were
// redacted are asked for, and APOP digests and CRAM-MD5 answers, which
// depend on the server's challenge, are computed afresh.
func Replay(ctx context.Context, path string, o ReplayOptions) (ReplayResult, error) {
	var res ReplayResult
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	rp := &replayer{tr: NewReader(f), o: o, res: &res}
	for {
		_, newSession, err := rp.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		if !newSession {
			continue // the rest of a session that ended early
		}
		if err := rp.session(ctx, *rp.tr.Header()); err != nil {
			return res, err
		}
	}
	if res.Steps == 0 {
		return res, errors.New("the transcript holds no session to replay")
	}
	if res.Differ == 0 {
		fmt.Fprintf(o.Out, "replay: all %d steps match\n", res.Steps)
	} else {
		fmt.Fprintf(o.Out, "replay: %d of %d steps differ (first: %s)\n", res.Differ, res.Steps, res.First)
	}
	return res, nil
}

type replayer struct {
	tr   *Reader
	o    ReplayOptions
	res  *ReplayResult
	back *Entry // one entry pushed back
	newS bool   // the pushed-back position is a new session
	c    *proto.Client
	step int
	tag  string // the recorded tag of the IMAP command being replayed

	// In raw line mode nothing is framed: the lines that arrive after a
	// line is sent, until the server is quiet, are its "reply".
	rawMu  sync.Mutex
	rawGot []string
}

// rawQuiet is how long a raw server must be silent for its answer to be
// taken as complete.
const rawQuiet = 300 * time.Millisecond

// rawReply waits for a raw server to be quiet and returns what it sent
// since the last call.
func (rp *replayer) rawReply() *proto.Reply {
	rp.c.WaitQuiet(rawQuiet)
	rp.rawMu.Lock()
	defer rp.rawMu.Unlock()
	got := rp.rawGot
	rp.rawGot = nil
	if len(got) == 0 {
		return nil
	}
	return &proto.Reply{Proto: rp.c.Machine.Protocol(), Lines: got, Text: got}
}

// compareRaw checks a raw answer by its first line, as a reply is checked
// by its code.
func (rp *replayer) compareRaw(cmd string, want []string, got *proto.Reply) {
	rp.step++
	rp.res.Steps++
	switch {
	case len(want) == 0 && got == nil:
		fmt.Fprintf(rp.o.Out, "  ok   %3d %-40s (nothing came, as recorded)\n", rp.step, shorten(cmd, 40))
	case len(want) > 0 && got != nil && got.Lines[0] == want[0]:
		fmt.Fprintf(rp.o.Out, "  ok   %3d %-40s %s\n", rp.step, shorten(cmd, 40), shorten(want[0], 30))
	default:
		gotLine := "(nothing)"
		if got != nil {
			gotLine = got.Lines[0]
		}
		rp.report(cmd, firstOr(want, "(nothing)"), gotLine)
	}
}

func (rp *replayer) next() (Entry, bool, error) {
	if rp.back != nil {
		e := *rp.back
		rp.back = nil
		return e, false, nil
	}
	if rp.newS {
		rp.newS = false
		return Entry{}, true, nil
	}
	return rp.tr.Next()
}

func (rp *replayer) unread(e Entry) { rp.back = &e }

// expect reads the recorded reply that follows a command: the server's
// status lines up to the next client line, a new session or the end.
func (rp *replayer) expect() ([]string, error) {
	var lines []string
	for {
		e, newSession, err := rp.next()
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
		if newSession {
			rp.newS = true
			return lines, nil
		}
		switch e.Dir {
		case Server:
			lines = append(lines, e.Text)
		case ServerBody, Note:
		default:
			rp.unread(e)
			return lines, nil
		}
	}
}

var redactedUser = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[redacted user=([^\]\s]+)\]`) })

func (rp *replayer) session(ctx context.Context, h Header) error {
	t, err := protocols.All.ParseTarget(h.Target)
	if err != nil {
		if strings.HasPrefix(h.Target, "tcp://") {
			t, err = protocols.All.ParseTarget("smtp://" + strings.TrimPrefix(h.Target, "tcp://"))
			t.Proto = nil
		}
		if err != nil {
			return fmt.Errorf("recorded target %q: %v", h.Target, err)
		}
	}
	p := t.Proto
	greeting, err := rp.expect()
	if err != nil {
		return err
	}
	if p == nil && len(greeting) > 0 {
		p = protoOf("", greeting[0])
		t.Proto = p
	}
	if alt, ok := rp.o.Targets[p]; ok {
		t = alt
	}
	fmt.Fprintf(rp.o.Out, "replaying %s (recorded against %s)\n", t.URL(), h.Target)
	dial := rp.o.Dial
	raw := t.Proto != nil && t.Proto.Spec().Unframed
	if raw {
		observe := dial.Observe
		dial.Observe = func(e proto.Event) {
			if e.Dir == proto.FromServer {
				rp.rawMu.Lock()
				rp.rawGot = append(rp.rawGot, e.Text)
				rp.rawMu.Unlock()
			}
			if observe != nil {
				observe(e)
			}
		}
	}
	c, rep, err := proto.Dial(ctx, t, dial)
	if err != nil {
		rp.differ("(connect)", "a connection", err.Error())
		return nil
	}
	rp.c = c
	defer c.Close()
	if raw {
		rp.compareRaw("(greeting)", greeting, rp.rawReply())
	} else {
		rp.compare("(greeting)", greeting, rep)
	}
	for {
		e, newSession, err := rp.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if newSession {
			rp.newS = true
			return nil
		}
		if c.Closed() {
			if e.FromClient() {
				rp.differ(e.Text, "an open connection", "the connection was closed")
				return nil
			}
			continue
		}
		switch e.Dir {
		case ClientBody:
			// Recorded in its wire form: undo the stuffing; the client
			// stuffs it again as it sends.
			text := e.Text
			if c.Machine.State().InLiteral() {
				// A literal's octets go as they were.
				if _, _, err := c.Command(text); err != nil {
					rp.differ("(literal)", "to send", err.Error())
					return nil
				}
				continue
			}
			if strings.HasPrefix(text, ".") {
				text = text[1:]
			}
			if !c.Machine.State().TakesText() {
				rp.differ(shorten(e.Text, 40), "DATA mode", "state "+c.Machine.State().String())
				return nil
			}
			if _, _, err := c.Command(text); err != nil {
				rp.differ("(message text)", "to send", err.Error())
				return nil
			}
		case Client:
			if err := rp.command(e.Text); err != nil {
				return err
			}
		}
	}
}

// command replays one recorded client line and compares the reply.
func (rp *replayer) command(line string) error {
	c := rp.c
	if c.Machine.Protocol().Spec().Unframed {
		want, err := rp.expect()
		if err != nil {
			return err
		}
		if _, _, err := c.Command(line); err != nil {
			rp.differ(line, firstOr(want, "(nothing)"), err.Error())
			return nil
		}
		rp.compareRaw(line, want, rp.rawReply())
		return nil
	}
	sp := c.Machine.Protocol().Spec()
	if sp.Tagged {
		// A tagged command goes with a fresh tag (the recorded one is
		// dropped) and is compared with the completion of the recorded
		// tag; a line that continues a command goes as recorded.
		st := c.Machine.State()
		tag, rest := proto.SplitTag(c.Machine.Protocol(), line)
		if tag == "" || st.InLiteral() || st.InSASL() || st.Idles() {
			want, err := rp.expectReply()
			if err != nil {
				return err
			}
			_, rep, cerr := c.Command(line)
			rp.result(line, want, rep, cerr)
			return nil
		}
		rp.tag, line = tag, rest
	}
	verb, arg := proto.SplitCommand(line)
	up := strings.ToUpper(verb)
	cmd := sp.Table.Lookup(verb)
	switch {
	case cmd != nil && cmd.AskSecret != "" && strings.Contains(arg, "[redacted"):
		// A password typed on the line (PASS): the same words before it,
		// then the password afresh.
		shown := strings.Fields(arg)
		shown = shown[:min(cmd.SecretAfter, len(shown))]
		return rp.withPassword(line, func(pw string) (*proto.Reply, error) {
			if cmd.SecretForm != nil {
				pw = cmd.SecretForm(pw)
			}
			_, rep, err := c.Command(strings.Join(append(append([]string{verb}, shown...), pw), " "))
			return rep, err
		})
	case sp.Login != nil && sp.Login.Digest != "" && up == sp.Login.Digest:
		// A digest of the password and the greeting's timestamp (APOP),
		// computed afresh for this greeting.
		user, _, _ := strings.Cut(arg, " ")
		return rp.withPassword(line, func(pw string) (*proto.Reply, error) {
			return c.Login("digest", user, pw, nil)
		})
	case up == sp.Auth && arg != "":
		want, err := rp.expectReply()
		if err != nil {
			return err
		}
		challenged := len(want) > 0 && rp.intermediate(want[0])
		if strings.Contains(arg, "[redacted") || challenged {
			return rp.auth(line, arg, want)
		}
		// Refused at once (504, -ERR): send it as recorded.
		_, rep, cerr := c.Command(line)
		rp.result(line, want, rep, cerr)
		return nil
	}
	want, err := rp.expectReply()
	if err != nil {
		return err
	}
	_, rep, cerr := c.Command(line)
	rp.result(line, want, rep, cerr)
	return nil
}

// withPassword replays a line that carried the password, sending it
// afresh through send, and compares the reply with the recorded one.
func (rp *replayer) withPassword(line string, send func(pw string) (*proto.Reply, error)) error {
	pw, err := rp.o.Secret("password")
	if err != nil {
		return err
	}
	want, err := rp.expectReply()
	if err != nil {
		return err
	}
	rep, err := send(pw)
	rp.result(line, want, rep, err)
	return nil
}

func (rp *replayer) intermediate(line string) bool {
	rep := parseReply(rp.c.Machine.Protocol(), line)
	return rep != nil && rep.Class() == proto.ClassIntermediate
}

// auth replays an AUTH exchange by running it afresh with the secrets
// (the answers to a challenge differ each time), after skipping the
// recorded challenges and answers up to the final reply. first is the
// recorded reply to the AUTH line.
func (rp *replayer) auth(line, arg string, first []string) error {
	mech, _, _ := strings.Cut(arg, " ")
	mech = strings.ToUpper(mech)
	user := ""
	if m := redactedUser().FindStringSubmatch(arg); m != nil {
		user = m[1]
	}
	var err error
	if user == "" {
		if user, err = rp.o.Secret("user"); err != nil {
			return err
		}
	}
	name := "password"
	if mech == "XOAUTH2" {
		name = "token"
	}
	secret, err := rp.o.Secret(name)
	if err != nil {
		return err
	}
	// The recorded exchange: challenges and answers, then the final reply.
	want := first
	for len(want) > 0 && rp.intermediate(want[0]) {
		// Skip the recorded answer to this challenge.
		e, newSession, err := rp.next()
		if err != nil || newSession {
			rp.newS = newSession
			break
		}
		if !e.FromClient() {
			rp.unread(e)
			break
		}
		if want, err = rp.expectReply(); err != nil {
			return err
		}
	}
	sc, err := proto.NewSASLClient(mech, user, secret)
	if err != nil {
		rp.differ(line, "a mechanism mailsh knows", err.Error())
		return nil
	}
	rep, cerr := rp.c.Authenticate(sc, secret, nil)
	rp.result(line, want, rep, cerr)
	return nil
}

func (rp *replayer) result(cmd string, want []string, rep *proto.Reply, err error) {
	if err != nil {
		rp.differ(cmd, firstOr(want, "(nothing)"), err.Error())
		return
	}
	rp.compare(cmd, want, rep)
}

// compare checks a reply's code (SMTP) or status (POP3) against the
// recorded one. The text may differ (ids, dates); the code may not.
func (rp *replayer) compare(cmd string, want []string, got *proto.Reply) {
	rp.step++
	rp.res.Steps++
	if len(want) == 0 {
		// Nothing recorded (the session ended): nothing to compare.
		fmt.Fprintf(rp.o.Out, "  ok   %3d %-40s (no reply recorded)\n", rp.step, shorten(cmd, 40))
		return
	}
	w := parseReply(rp.c.Machine.Protocol(), want[0])
	if w != nil && got != nil && w.Label() == got.Label() {
		fmt.Fprintf(rp.o.Out, "  ok   %3d %-40s %s\n", rp.step, shorten(cmd, 40), got.Label())
		return
	}
	gotLine := "(no reply)"
	if got != nil && len(got.Lines) > 0 {
		gotLine = got.Lines[0]
	}
	rp.report(cmd, want[0], gotLine)
}

func (rp *replayer) differ(cmd, want, got string) {
	rp.step++
	rp.res.Steps++
	rp.report(cmd, want, got)
}

func (rp *replayer) report(cmd, want, got string) {
	rp.res.Differ++
	desc := fmt.Sprintf("step %d, %s", rp.step, shorten(cmd, 40))
	if rp.res.First == "" {
		rp.res.First = desc
	}
	fmt.Fprintf(rp.o.Out, "  FAIL %3d %s\n       - %s\n       + %s\n", rp.step, shorten(cmd, 60), want, got)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}
