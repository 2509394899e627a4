package proto

import (
	"fmt"
	"strings"
)

// AuthStep is one round of a SASL exchange, for a caller to show: the
// decoded challenge and a description of the response with the secret
// masked. Responses themselves travel only to the server.
type AuthStep struct {
	Challenge []byte
	Shown     string
}

// Authenticate runs a SASL exchange (RFC 4954 §4 for SMTP, RFC 5034 §4
// for POP3): AUTH with the initial response if the mechanism has one, then
// one base64 answer per challenge until the server's final reply, which it
// returns. step, if not nil, is told of each round.
func (c *Client) Authenticate(sc SASLClient, secret string, step func(AuthStep)) (*Reply, error) {
	if step == nil {
		step = func(AuthStep) {}
	}
	sp := c.Machine.Protocol().Spec()
	line := sp.Auth + " " + sc.Name()
	ir, hasIR := sc.Start()
	if hasIR && sp.InitialResponse(c.Machine.Snapshot()) {
		// RFC 4954 §4: an empty initial response is sent as "=".
		enc := "="
		if len(ir) > 0 {
			enc = B64(ir)
		}
		line += " " + enc
		step(AuthStep{Shown: "initial response: " + mask(ir, secret)})
		hasIR = false
	}
	_, rep, err := c.Command(line)
	for err == nil && rep.Class() == ClassIntermediate {
		text := ""
		if len(rep.Text) > 0 {
			text = rep.Text[0]
		}
		// Blanks some servers put around the blob.
		text = strings.TrimSpace(text)
		if hasIR && strings.TrimSpace(text) == "" {
			// A server without SASL-IR asks for the initial response
			// with an empty challenge (RFC 4959 §1).
			hasIR = false
			step(AuthStep{Shown: "initial response: " + mask(ir, secret)})
			_, rep, err = c.Command(B64(ir))
			continue
		}
		ch, derr := UnB64(text)
		if derr != nil {
			step(AuthStep{Shown: "the challenge is not base64; cancelling with \"*\""})
			_, rep, err = c.Command("*")
			break
		}
		resp, nerr := sc.Next(ch)
		if nerr != nil {
			step(AuthStep{Challenge: ch, Shown: nerr.Error() + "; cancelling with \"*\""})
			_, rep, err = c.Command("*")
			break
		}
		step(AuthStep{Challenge: ch, Shown: "response: " + mask(resp, secret)})
		_, rep, err = c.Command(B64(resp))
	}
	if err != nil {
		return rep, err
	}
	return rep, nil
}

// mask describes a SASL message for display: NUL and ^A shown as \0 and
// ^A, the secret replaced.
func mask(msg []byte, secret string) string {
	s := string(msg)
	if secret != "" {
		s = strings.ReplaceAll(s, secret, "[password]")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == 0:
			b.WriteString(`\0`)
		case r == 1:
			b.WriteString("^A")
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
