package shell

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mailsh/mailsh/proto"
)

// observers fans each event of the session out: to the printer, to the
// capture of retrieved messages, and to whatever else is attached (the
// transcript recorder). Observe reads a snapshot of the attached ones,
// taking no lock: it is called for every line of a message.
type observers struct {
	mu     sync.Mutex
	byName map[string]func(proto.Event)
	list   atomic.Pointer[[]func(proto.Event)] // byName's, in name order
}

// Observe receives every event of the session's connections. Give it to
// proto.DialOptions.Observe. The transcript gets each line before the
// screen does, so that whatever a person saw is already recorded.
func (s *Session) Observe(e proto.Event) {
	if fns := s.obs.list.Load(); fns != nil {
		for _, f := range *fns {
			f(e)
		}
	}
	s.capture.event(e)
	if s.P != nil {
		s.P.Event(e)
	}
}

// publish makes the snapshot Observe reads; the caller holds mu.
func (o *observers) publish() {
	names := slices.Sorted(maps.Keys(o.byName))
	fns := make([]func(proto.Event), 0, len(names))
	for _, n := range names {
		fns = append(fns, o.byName[n])
	}
	o.list.Store(&fns)
}

// Attach adds an observer under a name, replacing one of the same name;
// Detach removes it.
func (s *Session) Attach(name string, f func(proto.Event)) {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	if s.obs.byName == nil {
		s.obs.byName = map[string]func(proto.Event){}
	}
	s.obs.byName[name] = f
	s.obs.publish()
}

// Detach removes the observer of that name.
func (s *Session) Detach(name string) {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	delete(s.obs.byName, name)
	s.obs.publish()
}
