package loopback

import (
	"errors"
	"strings"
	"testing"
)

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
