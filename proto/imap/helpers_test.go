package imap

import (
	"testing"

	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/prototest"
	"github.com/mailsh/mailsh/proto/raw"
	"github.com/mailsh/mailsh/proto/smtp"
)

// registry is the engine's own protocols and IMAP, for greetings.
var registry = proto.Registry{smtp.Protocol, pop3.Protocol, Protocol, raw.Protocol}

// newPipeClient starts a client against a scripted server
// (prototest.PipeClient); p nil takes the protocol from the greeting.
func newPipeClient(t *testing.T, p proto.Protocol, script string) (*proto.Client, *prototest.Recorder, <-chan error) {
	t.Helper()
	return prototest.PipeClient(t, p, registry, script)
}

func run(t *testing.T, c *proto.Client, cmds ...string) {
	t.Helper()
	prototest.Run(t, c, cmds...)
}
