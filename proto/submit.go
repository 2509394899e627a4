package proto

import (
	"errors"
	"fmt"
)

// The operations of a mail transaction, for :compose and :data; the
// protocol's Mail says which commands they are.

func (c *Client) mail() (*Mail, error) {
	if c.Machine == nil {
		return nil, errors.New("not connected")
	}
	m := c.Machine.Protocol().Spec().Mail
	if m == nil {
		return nil, fmt.Errorf("%s sends no mail", c.Machine.Protocol())
	}
	return m, nil
}

// MailReady says whether a mail transaction may start now, and if not
// why.
func (c *Client) MailReady() (*Mail, error) {
	m, err := c.mail()
	if err != nil {
		return nil, err
	}
	if st := c.Machine.State(); st != m.Ready {
		return nil, fmt.Errorf("%s (now: %s)", m.NotReady, st.Describe())
	}
	return m, nil
}

// StartMail opens a transaction: the envelope's commands, then the one
// that opens the text. It returns nil once the server waits for the text,
// or the reply that refused a step (the transaction is then open still:
// ResetMail abandons it).
func (c *Client) StartMail(from string, rcpts []string) (*Reply, error) {
	m, err := c.MailReady()
	if err != nil {
		return nil, err
	}
	for _, l := range append(m.Envelope(from, rcpts), m.Data) {
		_, rep, err := c.Command(l)
		if err != nil {
			return nil, err
		}
		if l == m.Data && rep.Class() != ClassIntermediate || rep.Class().Failed() {
			return rep, nil
		}
	}
	return nil, nil
}

// OpenText makes the session ready for a message's text: it is so
// already, or the command that opens the text is sent after an accepted
// recipient. It returns the reply that refused it, or nil.
func (c *Client) OpenText() (*Reply, error) {
	m, err := c.mail()
	if err != nil {
		return nil, err
	}
	snap := c.Machine.Snapshot()
	if snap.State.TakesText() {
		return nil, nil
	}
	if cmd := TableFor(snap.Proto).Lookup(m.Data); cmd == nil || !cmd.ValidIn(snap.State) {
		return nil, fmt.Errorf("the message goes after %s (now: %s)", m.Recipient, snap.State.Describe())
	}
	_, rep, err := c.Command(m.Data)
	if err != nil || rep.Class() != ClassIntermediate {
		return rep, err
	}
	return nil, nil
}

// CanChunk says whether the text may go in chunks now (BDAT, RFC 3030):
// the server advertised it, and a recipient was accepted.
func (c *Client) CanChunk() error {
	m, err := c.mail()
	if err != nil {
		return err
	}
	snap := c.Machine.Snapshot()
	if m.Chunks == "" || !snap.Has(m.ChunksExt) {
		return fmt.Errorf("the server does not advertise %s, so %s is not available (use :data FILE without --bdat)", m.ChunksExt, m.Chunks)
	}
	if cmd := TableFor(snap.Proto).Lookup(m.Chunks); cmd == nil || !cmd.ValidIn(snap.State) {
		return fmt.Errorf("%s comes after %s (now: %s)", m.Chunks, m.Recipient, snap.State.Describe())
	}
	return nil
}

// ResetMail abandons the transaction (RSET).
func (c *Client) ResetMail() (*Reply, error) {
	m, err := c.mail()
	if err != nil {
		return nil, err
	}
	_, rep, err := c.Command(m.Reset)
	return rep, err
}
