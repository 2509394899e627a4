package message

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seed adds the corpus and the Received chains to a fuzz target.
func seed(f *testing.F) {
	for _, pattern := range []string{"testdata/corpus/*.eml", "testdata/received/*.txt"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\nhi\r\n--y--\r\n--x--\r\n"))
}

// bounded fails if a view of input is out of proportion to it: every line
// printed must come from something in the input.
func bounded(t *testing.T, what string, in []byte, out int) {
	if limit := 64*len(in) + 16<<10; out > limit {
		t.Fatalf("%s printed %d octets for %d of input", what, out, len(in))
	}
}

// FuzzParseReceived: any field value parses without panic into bounded
// fields.
func FuzzParseReceived(f *testing.F) {
	for _, s := range []string{
		"from student.estg.iplei.pt (localhost.localdomain [127.0.0.1]) by student.student.estg.ipleiria.pt (8.12.3/8.12.3) with ESMTP id gBBKQqNA026221 for <vmc@estg.iplei.pt>; Wed, 11 Dec 2002 20:26:52 GMT",
		"(qmail 1 invoked by uid 89); 14 May 2024 08:15:04 -0000",
		"from [1.2.3.4] (helo=x) by y with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1; Tue, 14 May 2024 09:15:03 +0100",
		"by 2002:a05::1 with SMTP id x; Tue, 14 May 2024 01:15:06 -0700 (PDT)",
		"((((((((", "from ;", "\"", "with ESMTP/TLS/x", "from a (HELO", "<<<",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := ParseReceived(v)
		total := len(h.From) + len(h.FromRDNS) + len(h.IP) + len(h.By) + len(h.ByInfo) + len(h.With) + len(h.ID) + len(h.For) + len(h.Via) + len(h.Comment) + len(h.Date) + len(h.Cipher)
		if total > 2*len(v)+64 || len(h.Raw) > maxFieldParse {
			t.Fatalf("fields hold %d octets for %d of input", total, len(v))
		}
		_ = h.Short()
	})
}

// FuzzHops: any header gives a chain and a bounded view, or an error.
func FuzzHops(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := ReadChain(bytes.NewReader(msg))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteHops(&out, c, Style{Width: 100, Bar: "█"}); err != nil {
			t.Fatal(err)
		}
		bounded(t, "hops", msg, out.Len())
	})
}

// FuzzTree: any input gives a tree (and a bounded view of it) or an
// error; parts are numbered as :save expects.
func FuzzTree(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		top, err := Tree(bytes.NewReader(msg), TreeOptions{SHA256: true})
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteTree(&out, top, Style{}); err != nil {
			t.Fatal(err)
		}
		bounded(t, "tree", msg, out.Len())
		top.Each(func(p *Part) {
			if p.Number != "" && !ValidPartNumber(p.Number) && strings.Count(p.Number, ".") < MaxDepth {
				t.Fatalf("part number %q", p.Number)
			}
		})
	})
}

// FuzzShow: the decoded view never panics, stays bounded and lets no
// escape sequence through.
func FuzzShow(f *testing.F) {
	seed(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		var out bytes.Buffer
		if _, err := Show(&out, bytes.NewReader(msg), Style{}); err != nil {
			return
		}
		bounded(t, "show", msg, out.Len())
		if bytes.ContainsAny(out.Bytes(), "\x1b\x00\x07\u009b") {
			t.Fatalf("control characters in the view: %q", out.String())
		}
	})
}

// FuzzParseDate: any text parses or not, without panic, and a date it
// accepts is in range, so that delays between two such dates are real
// durations.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Wed, 11 Dec 2002 20:26:52 GMT", "14 May 24 00:15:10 PST", "2024-05-14T08:15:03Z", "1 1 1 1:1 A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			return
		}
		if d.Before(EarliestDate) || d.After(time.Now().Add(MaxDateAhead)) {
			t.Fatalf("%q gave %v", s, d)
		}
		if delay := time.Now().Sub(d); delay <= -MaxDateAhead-time.Minute || delay >= 100*365*24*time.Hour {
			t.Fatalf("%q gave %v, %v from now", s, d, delay)
		}
	})
}
