package main

import "testing"

// In script mode too, what mailsh says of a reply on standard error (the
// --errexit stop and its hint, a refused STARTTLS) shows the server's
// text escaped.
func TestHostileRepliesInErrors(t *testing.T) {
	t.Parallel()
	t.Run("errexit hint", func(t *testing.T) {
		t.Parallel()
		addr, _ := dialogServer(t, "* OK [CAPABILITY IMAP4rev1] hi\r\n",
			"a1 NO ["+hostileCode+"] "+hostileText+"\r\n",
			"* BYE bye\r\na2 OK bye\r\n")
		r := mailsh(t, "SELECT Nope\nLOGOUT\n", isolatedHome(t), "-e", "imap://"+addr)
		r.must(t, 1, "mailsh: stopped at \"a1 NO ["+hostileCodeShown+"] "+hostileShown+"\" (--errexit)", "mailsh: hint: NO ["+hostileCodeShown+"]: ")
		checkEscaped(t, "the errexit report", r.stdout+r.stderr, 2)
	})
	t.Run("STARTTLS refused", func(t *testing.T) {
		t.Parallel()
		addr, _ := dialogServer(t, "220 hi\r\n",
			"250-hi\r\n250 STARTTLS\r\n",
			"454 4.7.0 "+hostileText+"\r\n",
			"221 bye\r\n")
		r := mailsh(t, "QUIT\n", isolatedHome(t), "--starttls", "smtp://"+addr)
		r.must(t, 1, "mailsh: STARTTLS: server replied 454 4.7.0 "+hostileShown)
		checkEscaped(t, "the STARTTLS refusal", r.stdout+r.stderr, 2)
	})
}
