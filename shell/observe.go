package shell

import (
	"sync"

	"github.com/mailsh/mailsh/proto"
)

// observers fans each event of the session out: to the printer, to the
// capture of retrieved messages, and to whatever else is attached (the
// transcript recorder).
type observers struct {
	mu   sync.Mutex
	list map[string]func(proto.Event)
}

// Observe receives every event of the session's connections. Give it to
// proto.DialOptions.Observe. The transcript gets each line before the
// screen does, so that whatever a person saw is already recorded.
func (s *Session) Observe(e proto.Event) {
	s.obs.mu.Lock()
	fns := make([]func(proto.Event), 0, len(s.obs.list))
	for _, f := range s.obs.list {
		fns = append(fns, f)
	}
	s.obs.mu.Unlock()
	for _, f := range fns {
		f(e)
	}
	s.capture.event(e)
	if s.P != nil {
		s.P.Event(e)
	}
}

// Attach adds an observer under a name, replacing one of the same name;
// Detach removes it.
func (s *Session) Attach(name string, f func(proto.Event)) {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	if s.obs.list == nil {
		s.obs.list = map[string]func(proto.Event){}
	}
	s.obs.list[name] = f
}

// Detach removes the observer of that name.
func (s *Session) Detach(name string) {
	s.obs.mu.Lock()
	defer s.obs.mu.Unlock()
	delete(s.obs.list, name)
}
