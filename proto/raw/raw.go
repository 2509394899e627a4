// Package raw is raw line mode for mailsh's protocol engine: for a server
// that speaks none of the protocols mailsh knows (HTTP, LMTP, ManageSieve,
// SSH's banner), as telnet and nc talk to it. Each line goes out with
// CRLF, blank lines too; whatever arrives is shown as it comes, with no
// reply to wait for. It is the registry's fallback: a greeting no other
// protocol recognises goes on in raw line mode.
package raw

import "github.com/mailsh/mailsh/proto"

// Protocol is raw line mode: the engine's Unframed framing, no commands.
var Protocol = &proto.Spec{
	Name:  "raw",
	Table: proto.Table{},
	// Any port: raw://HOST:PORT, rawtls://HOST:PORT (TLS from the start).
	Schemes: map[string]proto.Scheme{
		"raw":    {},
		"rawtls": {ImplicitTLS: true},
	},
	Scheme: "raw", SchemeTLS: "rawtls",
	// No greeting is recognised as raw: it is what is left.
	Greeting: openCmd, SASLAnswer: openCmd,
	AfterTLS: Open,
	ParseStatus: func(line string) (*proto.Reply, error) {
		return nil, proto.ProtocolErr([]byte(line), "raw line mode has no replies")
	},
	Class:      func(*proto.Reply) proto.Class { return proto.ClassUnknown },
	Label:      func(*proto.Reply) string { return "" },
	Explain:    func(*proto.Reply) string { return "" },
	Temporary:  func(*proto.Reply) bool { return false },
	Closes:     func(*proto.Reply, *proto.Cmd) bool { return false },
	Advertised: func(*proto.Snapshot, string) (string, bool) { return "", false },
	Unframed:   true,
}

// Open: raw line mode, where nothing is framed: every line may be sent,
// and lines from the server are shown as they arrive.
var Open = proto.NewState("raw", "raw line mode: each line goes out with CRLF; what arrives is shown as it comes", proto.Commands)

// openCmd stands for the connection's start.
var openCmd = &proto.Command{Name: "(open)", OnOK: Open, OnCont: Open, OnFail: Open}
