package peertest

// Owner returns the user and group ids Dovecot's mail processes run as
// and its Maildirs belong to: a program that delivers into MailRoot (as
// Postfix's virtual agent does) must write the files as them.
func (d *Dovecot) Owner() (uid, gid int) { return d.uid, d.gid }
