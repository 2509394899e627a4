package pop3

import (
	"testing"

	"github.com/mailsh/mailsh/proto/pop3"
)

// Every command of proto's table has a handler: one list of commands.
func TestPOP3HandlersCoverTable(t *testing.T) {
	for _, c := range pop3.Commands {
		if handlerFor(c.Name) == nil {
			t.Errorf("no POP3 handler for %s", c.Name)
		}
	}
}
