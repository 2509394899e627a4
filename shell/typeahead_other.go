//go:build !linux

package shell

// typeAhead is typeahead_linux.go's; elsewhere keys typed between lines
// are echoed by the terminal as before.
type typeAhead struct{}

func newTypeAhead(int) *typeAhead   { return nil }
func (t *typeAhead) raw() error     { return nil }
func (t *typeAhead) quiet() error   { return nil }
func (t *typeAhead) restore() error { return nil }
