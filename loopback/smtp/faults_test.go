package smtp

import (
	"testing"
	"time"
)

// greylist=DURATION: a retry sooner than DURATION is greylisted again.
func TestGreylistWait(t *testing.T) {
	g := newGreylist()
	t0 := time.Unix(1e9, 0)
	steps := []struct {
		at   time.Duration
		from string
		pass bool
	}{
		{0, "a@x", false}, {30 * time.Second, "a@x", false}, {time.Minute, "A@X", true},
		{time.Minute, "b@x", false}, {2 * time.Minute, "b@x", true},
	}
	for _, s := range steps {
		if got := g.pass("127.0.0.1", s.from, "demo@localhost", time.Minute, t0.Add(s.at)); got != s.pass {
			t.Errorf("at %s from %s: pass = %v", s.at, s.from, got)
		}
	}
}
