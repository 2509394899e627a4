package message

import (
	"strings"
	"testing"
)

func TestParseAuthResults(t *testing.T) {
	for _, tc := range []struct {
		field, value string
		want         []string // "serv method=result props…"
	}{
		{"Authentication-Results", "mx.google.com; dkim=pass header.i=@example.org header.s=s1 header.b=AbC; spf=pass (google.com: domain of a@example.org designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.org; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org",
			[]string{"mx.google.com dkim=pass header.i=@example.org header.s=s1 header.b=AbC", "mx.google.com spf=pass smtp.mailfrom=a@example.org", "mx.google.com dmarc=pass header.from=example.org"}},
		// Microsoft: no authserv-id, a missing ";".
		{"Authentication-Results", "spf=pass (sender IP is 198.51.100.5) smtp.mailfrom=example.com; dkim=none (message not signed) header.d=none;dmarc=pass action=none header.from=example.com;compauth=pass reason=100",
			[]string{" spf=pass smtp.mailfrom=example.com", " dkim=none header.d=none", " dmarc=pass action=none header.from=example.com", " compauth=pass"}},
		// RFC 8601 §2.2: a version after the authserv-id, method versions, "none".
		{"Authentication-Results", "example.com 1; dkim/1=fail reason=\"bad signature\" header.d=example.net", []string{"example.com dkim=fail header.d=example.net"}},
		{"Authentication-Results", "example.com; none", nil},
		// RFC 8617: ARC's "i=1;" first.
		{"ARC-Authentication-Results", "i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=hotmail.de; dmarc=pass action=none header.from=hotmail.de; dkim=pass header.d=hotmail.de; arc=none",
			[]string{"mx.microsoft.com spf=pass smtp.mailfrom=hotmail.de", "mx.microsoft.com dmarc=pass action=none header.from=hotmail.de", "mx.microsoft.com dkim=pass header.d=hotmail.de", "mx.microsoft.com arc=none"}},
		{"Authentication-Results", "", nil},
		{"Authentication-Results", ";;;(((", nil},
	} {
		var got []string
		for _, r := range ParseAuthResults(tc.field, tc.value) {
			got = append(got, strings.TrimSpace(r.AuthServ+" "+r.Method+"="+r.Result+" "+strings.Join(r.Props, " ")))
			if r.Field != tc.field {
				t.Errorf("field %q", r.Field)
			}
		}
		want := make([]string, len(tc.want))
		for i, w := range tc.want {
			want[i] = strings.TrimSpace(w)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q:\n got  %q\n want %q", tc.value, got, want)
		}
	}
	rs := ParseAuthResults("Authentication-Results", "example.com; dkim=fail reason=\"bad signature\"")
	if len(rs) != 1 || rs[0].Reason != "bad signature" {
		t.Errorf("reason: %+v", rs)
	}
}

func TestParseReceivedSPF(t *testing.T) {
	r, ok := ParseReceivedSPF(`Pass (protection.outlook.com: domain of example.com designates 198.51.100.5 as permitted sender) receiver=protection.outlook.com; client-ip=198.51.100.5; helo=mail.example.com; pr=C`)
	if !ok || r.Result != "pass" || r.AuthServ != "protection.outlook.com" || strings.Join(r.Props, " ") != "client-ip=198.51.100.5 helo=mail.example.com pr=C" || !strings.HasPrefix(r.Reason, "protection.outlook.com: domain of") {
		t.Errorf("%+v", r)
	}
	r, ok = ParseReceivedSPF(`softfail (example.net: transitioning domain of a@example.org does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from="a@example.org";`)
	if !ok || r.Result != "softfail" || r.Props[1] != "envelope-from=a@example.org" {
		t.Errorf("%+v", r)
	}
	if _, ok := ParseReceivedSPF("maybe (who knows)"); ok {
		t.Error("accepted a result RFC 7208 §9.1 does not have")
	}
}
