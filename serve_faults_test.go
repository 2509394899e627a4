package main

import (
	"strings"
	"testing"
)

// mailsh serve lists its fault rules at start-up, and warns when
// smuggle:lenient leaves it open to SMTP smuggling.
func TestServeFaultRulesAtStartUp(t *testing.T) {
	t.Parallel()
	const warning = "mailsh serve: warning: smuggle:lenient: DATA also ends at <LF>.<LF>; this server is open to SMTP smuggling (CVE-2023-51764)"
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--fault", "smuggle:lenient", "--fault", "rcpt~*@grey.example:451")
	for _, want := range []string{"mailsh serve: fault rules: rcpt~*@grey.example:451, smuggle:lenient\n", warning + "\n"} {
		if !strings.Contains(s.stdout, want) {
			t.Errorf("start-up output lacks %q:\n%s", want, s.stdout)
		}
	}
	// The start-up output is whole once it says how to stop.
	s = startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()}, "--fault", "rcpt~*@grey.example:451")
	if strings.Contains(s.stdout, "smuggling") {
		t.Errorf("a server without smuggle:lenient warns:\n%s", s.stdout)
	}
}
