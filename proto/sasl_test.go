package proto

import (
	"testing"
)

// The RFCs' own examples.
func TestSASLExamples(t *testing.T) {
	// RFC 4616 §4: "\0tim\0tanstaaftanstaaf".
	if got := string(PlainResponse("", "tim", "tanstaaftanstaaf")); got != "\x00tim\x00tanstaaftanstaaf" {
		t.Errorf("PLAIN: %q", got)
	}
	if got := B64(PlainResponse("Ursel", "Kurt", "xipj3plmq")); got != "VXJzZWwAS3VydAB4aXBqM3BsbXE=" {
		t.Errorf("PLAIN with authzid (RFC 4616 §4): %s", got)
	}
	// RFC 2195 §2.
	ch, err := UnB64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
	if err != nil || string(ch) != "<1896.697170952@postoffice.reston.mci.net>" {
		t.Fatalf("challenge: %q %v", ch, err)
	}
	resp := CRAMMD5Response("tim", "tanstaaftanstaaf", ch)
	if string(resp) != "tim b913a602c7eda7a495b4e6e7334d3890" {
		t.Errorf("CRAM-MD5: %q", resp)
	}
	if B64(resp) != "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" {
		t.Errorf("CRAM-MD5 base64: %s", B64(resp))
	}
	// Google's XOAUTH2 documentation example.
	x := B64(XOAUTH2Response("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"))
	if x != "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==" {
		t.Errorf("XOAUTH2: %s", x)
	}
}

func TestSASLClientsStepByStep(t *testing.T) {
	login, _ := NewSASLClient("login", "tim", "secret")
	if _, ok := login.Start(); ok {
		t.Error("LOGIN has no initial response")
	}
	for _, step := range []struct{ ch, want string }{{"Username:", "tim"}, {"Password:", "secret"}} {
		got, err := login.Next([]byte(step.ch))
		if err != nil || string(got) != step.want {
			t.Errorf("LOGIN %s: %q %v", step.ch, got, err)
		}
	}
	if _, err := login.Next([]byte("What?")); err == nil {
		t.Error("LOGIN: third challenge accepted")
	}
	cram, _ := NewSASLClient("CRAM-MD5", "tim", "tanstaaftanstaaf")
	got, _ := cram.Next([]byte("<1896.697170952@postoffice.reston.mci.net>"))
	if string(got) != "tim b913a602c7eda7a495b4e6e7334d3890" {
		t.Errorf("CRAM-MD5 client: %q", got)
	}
	plain, _ := NewSASLClient("PLAIN", "tim", "pw")
	if ir, ok := plain.Start(); !ok || string(ir) != "\x00tim\x00pw" {
		t.Errorf("PLAIN initial response: %q", ir)
	}
	if _, err := NewSASLClient("GSSAPI", "a", "b"); err == nil {
		t.Error("unknown mechanism accepted")
	}
}

func TestUnB64Tolerant(t *testing.T) {
	for _, in := range []string{"dGlt", "dGlt\n", " dG lt ", "dGltAA", "dGltAA=="} {
		if _, err := UnB64(in); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := UnB64("!!!"); err == nil {
		t.Error("garbage decoded")
	}
}
