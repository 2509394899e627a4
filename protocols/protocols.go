// Package protocols is the registry: the protocols mailsh speaks, in the
// order a greeting is tried. A protocol is a package of its own (with a
// proto.Spec), added here with one line.
package protocols

import (
	"github.com/mailsh/mailsh/proto"
	"github.com/mailsh/mailsh/proto/imap"
	"github.com/mailsh/mailsh/proto/pop3"
	"github.com/mailsh/mailsh/proto/raw"
	"github.com/mailsh/mailsh/proto/smtp"
)

// All are the protocols mailsh speaks; raw line mode takes a greeting
// none of the others knows.
var All = proto.Registry{
	smtp.Protocol,
	pop3.Protocol,
	imap.Protocol,
	raw.Protocol,
}
