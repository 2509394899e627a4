package message

import (
	"bufio"
	"bytes"
	"errors"
	"math/rand"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// lectureDraft is the lecture's message with its PowerPoint attachment,
// and a second attachment whose name is not ASCII.
func lectureDraft(t *testing.T) (*Draft, [][]byte) {
	t.Helper()
	dir := t.TempDir()
	ppt := filepath.Join(dir, "SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt")
	os.WriteFile(ppt, readFile(t, "testdata/corpus/lecture-slides.ppt"), 0o644)
	bin := make([]byte, 100_000)
	rand.New(rand.NewSource(1)).Read(bin)
	notes := filepath.Join(dir, "notas da aula é.bin")
	os.WriteFile(notes, bin, 0o644)
	return &Draft{
		From:    "Vítor Carreira <vmc@estg.iplei.pt>",
		To:      []string{"ei07787@student.estg.iplei.pt, Pedro Pires <pedro@example.org>"},
		Cc:      []string{"antunes@ipleiria.pt"},
		Bcc:     []string{"secret@example.org"},
		Subject: "Ficheiro Powerpoint em anexo — ação",
		Body:    "Olá,\nsegue o ficheiro.\n.\nFrom here on\n",
		Attach:  []string{ppt, notes},
	}, [][]byte{readFile(t, ppt), bin}
}

// TestComposeRoundTrip composes the lecture's message and reads it back
// with the same tools :mime and :save use: the attachments come out
// identical, and the header is what RFC 5322 and MIME ask for.
func TestComposeRoundTrip(t *testing.T) {
	d, files := lectureDraft(t)
	var buf bytes.Buffer
	n, err := d.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := buf.Bytes()
	if n != int64(len(msg)) {
		t.Errorf("WriteTo says %d octets, wrote %d", n, len(msg))
	}
	// RFC 5322 §2.1.1, §2.3: CRLF only, lines of at most 998 octets (and
	// base64 at 76).
	for i, line := range strings.Split(string(msg), "\r\n") {
		if strings.ContainsAny(line, "\r\n") || len(line) > 998 {
			t.Fatalf("line %d: %q", i+1, line)
		}
	}
	head, _, _ := strings.Cut(string(msg), "\r\n\r\n")
	for _, want := range []string{
		"From: =?utf-8?q?V=C3=ADtor_Carreira?= <vmc@estg.iplei.pt>\r\n",
		"To: ei07787@student.estg.iplei.pt, Pedro Pires <pedro@example.org>\r\n",
		"Cc: antunes@ipleiria.pt\r\n",
		"Subject: =?utf-8?q?",
		"MIME-Version: 1.0\r\n",
		"Content-Type: multipart/mixed; boundary=\"=_mailsh_",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q:\n%s", want, head)
		}
	}
	if strings.Contains(string(msg), "secret@example.org") || hasBcc(t, head) {
		t.Error("the Bcc recipient is in the message (RFC 5322 §3.6.3)")
	}
	if !regexp.MustCompile(`\r\nMessage-ID: <[0-9a-f]+\.[a-z2-7]{16}@estg\.iplei\.pt>\r\n`).MatchString(head) {
		t.Errorf("Message-ID: random part at the From domain:\n%s", head)
	}
	date := regexp.MustCompile(`\r\nDate: ([^\r]+)\r\n`).FindStringSubmatch(head)
	if date == nil {
		t.Fatal("no Date")
	}
	if when, ok := ParseDate(date[1]); !ok || time.Since(when) > time.Hour || !regexp.MustCompile(`^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$`).MatchString(date[1]) {
		t.Errorf("Date %q is not RFC 5322 §3.3", date[1])
	}
	// Envelope: every recipient once, Bcc included.
	from, rcpts, _ := d.Envelope()
	if from != "vmc@estg.iplei.pt" || strings.Join(rcpts, " ") != "ei07787@student.estg.iplei.pt pedro@example.org antunes@ipleiria.pt secret@example.org" {
		t.Errorf("envelope %s %v", from, rcpts)
	}
	// Read back: the tree, the decoded subject, the parts.
	top, err := Tree(bytes.NewReader(msg), TreeOptions{SHA256: true})
	if err != nil {
		t.Fatal(err)
	}
	var tree bytes.Buffer
	WriteTree(&tree, top, Style{})
	if len(top.Parts) != 3 || top.Parts[0].Encoding != "quoted-printable" || top.Parts[1].Type != "application/vnd.ms-powerpoint" ||
		top.Parts[1].Filename != "SDP_2002_2003_sem_1_cap_6c_[Protocolos SMTP_POP3].ppt" || top.Parts[2].Filename != "notas da aula é.bin" ||
		top.Parts[2].Type != "application/octet-stream" || top.Parts[1].Encoding != "base64" {
		t.Fatalf("tree:\n%s", tree.String())
	}
	if !strings.Contains(string(msg), "filename*=utf-8''notas%20da%20aula%20%C3%A9.bin") {
		t.Error("no RFC 2231 file name")
	}
	for i, want := range files {
		out := filepath.Join(t.TempDir(), "part")
		s, err := Save(bytes.NewReader(msg), top.Parts[i+1].Number, out, false)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readFile(t, out), want) || s.SHA256 != sha(want) {
			t.Errorf("attachment %d differs after the round trip", i+1)
		}
	}
	var shown bytes.Buffer
	Show(&shown, bytes.NewReader(msg), Style{})
	if !strings.Contains(shown.String(), "Subject: Ficheiro Powerpoint em anexo — ação\n") || !strings.Contains(shown.String(), "Olá,\nsegue o ficheiro.\n.\nFrom here on\n") {
		t.Errorf("shown:\n%s", shown.String())
	}
}

// hasBcc reports whether the header holds a Bcc field. It reads the
// fields rather than search the text, where a random boundary or
// Message-ID may spell "bcc".
func hasBcc(t *testing.T, head string) bool {
	t.Helper()
	h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(head + "\r\n\r\n"))).ReadMIMEHeader()
	if err != nil {
		t.Fatalf("header: %v\n%s", err, head)
	}
	_, ok := h["Bcc"]
	return ok
}

// TestHasBcc: the check TestComposeRoundTrip makes finds a Bcc field
// whatever its case, and only a field: a boundary or Message-ID that
// happens to contain "bcc" is not one.
func TestHasBcc(t *testing.T) {
	t.Parallel()
	const base = "From: a@example.org\r\nTo: b@example.org\r\n"
	for _, tc := range []struct {
		name, head string
		want       bool
	}{
		{"none", base + "Subject: hi", false},
		{"bcc in the boundary", base + "Content-Type: multipart/mixed; boundary=\"=_mailsh_abccd\"", false},
		{"bcc in the Message-ID", base + "Message-ID: <1.qbccxyz@example.org>", false},
		{"bcc in a folded line", base + "Subject: abc\r\n bcc: not a field", false},
		{"Bcc field", base + "Bcc: secret@example.org", true},
		{"BCC field", base + "BCC: secret@example.org", true},
		{"empty bcc field", base + "bcc:", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := hasBcc(t, tc.head); got != tc.want {
				t.Errorf("hasBcc = %v, want %v:\n%s", got, tc.want, tc.head)
			}
		})
	}
}

// TestComposeGolden: with the date, identifier and boundary fixed, the
// message is the same octets every time.
func TestComposeGolden(t *testing.T) {
	d, _ := lectureDraft(t)
	d.Attach = d.Attach[:1]
	d.Date = time.Date(2002, 12, 12, 19, 58, 40, 0, time.UTC)
	d.MessageID = "5.1.0.14.0.20021212195840.00a3c8f0@estg.iplei.pt"
	d.Boundary = "====_193484826=="
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	golden(t, "compose-lecture.eml", buf.Bytes())
}

// TestComposeBodyEncoding: 7bit for ASCII text, quoted-printable for the
// rest; a message without attachments is a single text/plain part.
func TestComposeBodyEncoding(t *testing.T) {
	for _, tc := range []struct{ body, enc, has string }{
		{"Teste do mail\n", "7bit", "\r\n\r\nTeste do mail\r\n"},
		{"Olá\r\n", "quoted-printable", "\r\n\r\nOl=C3=A1\r\n"},
		{strings.Repeat("x", 1000), "quoted-printable", "=\r\n"},
		{"", "7bit", "Content-Transfer-Encoding: 7bit\r\n\r\n"},
	} {
		d := &Draft{From: "a@example.org", To: []string{"b@example.org"}, Subject: "s", Body: tc.body}
		var buf bytes.Buffer
		if _, err := d.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		s := buf.String()
		if !strings.Contains(s, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "+tc.enc+"\r\n") || !strings.Contains(s, tc.has) || strings.Contains(s, "multipart") {
			t.Errorf("body %q:\n%s", clip(tc.body, 20), s)
		}
	}
}

func TestComposeRefuses(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.txt")
	os.WriteFile(ok, []byte("x"), 0o644)
	for _, tc := range []struct {
		name string
		d    Draft
		says string
	}{
		{"no from", Draft{To: []string{"b@example.org"}}, "no sender"},
		{"two froms", Draft{From: "a@example.org, c@example.org", To: []string{"b@example.org"}}, "one address"},
		{"bad from", Draft{From: "not an address", To: []string{"b@example.org"}}, "not an address"},
		{"no domain", Draft{From: "a@example.org", To: []string{"b"}}, "not an address"},
		{"no recipient", Draft{From: "a@example.org"}, "no recipient"},
		{"subject injection", Draft{From: "a@example.org", To: []string{"b@example.org"}, Subject: "hi\r\nBcc: x@example.org"}, "one line"},
		{"body not UTF-8", Draft{From: "a@example.org", To: []string{"b@example.org"}, Body: "ol\xe1"}, "not UTF-8"},
		{"non-ASCII address", Draft{From: "a@example.org", To: []string{"joão@example.org"}}, "SMTPUTF8"},
		{"missing attachment", Draft{From: "a@example.org", To: []string{"b@example.org"}, Attach: []string{filepath.Join(dir, "nope")}}, "no such file"},
		{"directory attachment", Draft{From: "a@example.org", To: []string{"b@example.org"}, Attach: []string{ok, dir}}, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := tc.d.WriteTo(&buf)
			if !errors.Is(err, ErrDraft) || !strings.Contains(err.Error(), tc.says) || buf.Len() != 0 {
				t.Fatalf("err = %v (wrote %d), want ErrDraft saying %q", err, buf.Len(), tc.says)
			}
		})
	}
}

func TestContentTypeFor(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	for path, want := range map[string]string{
		write("a.ppt", nil):                                            "application/vnd.ms-powerpoint",
		write("a.PDF", nil):                                            "application/pdf",
		write("a.docx", nil):                                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		write("noext-pdf", []byte("%PDF-1.4\n")):                       "application/pdf",
		write("noext-png", []byte("\x89PNG\r\n\x1a\n...")):             "image/png",
		write("noext-ole", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")): "application/x-ole-storage",
		write("noext-text", []byte("olá, texto\n")):                    "text/plain",
		write("noext-bin", []byte{0, 1, 2, 0xff}):                      "application/octet-stream",
		write("empty", nil):                                            "application/octet-stream",
	} {
		if got := ContentTypeFor(path); got != want {
			t.Errorf("%s: %s, want %s", filepath.Base(path), got, want)
		}
	}
}
