package loopback

// FaultHelp documents the --fault SPEC syntax, for mailsh serve --help.
// Every example in it is checked by a test to parse.
const FaultHelp = `Fault rules (--fault SPEC, repeatable): make the server misbehave on purpose,
deterministically, by rule. Rules combine: the delays of all rules that match a
command add up, and the first matching rule that replies or drops decides.

  POINT[#N][~PATTERN]:ACTION
    POINT    the moment: connect, ehlo, helo, starttls, auth, mail, rcpt, data,
             bdat, dot (the end of a message: its final "." or BDAT LAST), rset,
             vrfy, expn, help, noop, quit, or any (every reply); for POP3
             pop3.connect, pop3.user, pop3.pass, pop3.apop, pop3.auth, pop3.login
             (after a correct password), pop3.capa, pop3.stls, pop3.stat,
             pop3.list, pop3.retr, pop3.top, pop3.dele, pop3.uidl, pop3.noop,
             pop3.rset, pop3.quit, or pop3.any; for IMAP imap.connect,
             imap.login (LOGIN and AUTHENTICATE, before the password is
             checked), imap.select, imap.examine, imap.list, imap.status,
             imap.create, imap.delete, imap.rename, imap.append, imap.fetch,
             imap.store, imap.search, imap.expunge, imap.copy, imap.move,
             imap.idle, imap.namespace, imap.unselect, or imap.any
    #N       only the Nth time (RCPT counts per message, connect per server,
             the rest per connection)
    ~PATTERN only when the subject matches PATTERN (* any text, ? one character,
             any case): the address for mail and rcpt, the client's IP for
             connect, the user for pop3.user, pop3.pass, pop3.login and
             imap.login, else the command's argument (imap.fetch's message set)
    ACTION   CODE [X.Y.Z] [TEXT]  reply with this 4xx or 5xx code instead
                                  (the enhanced code and text have defaults)
             -ERR [[CODE]] [TEXT] the same for POP3
             NO [[CODE]] [TEXT]   the same for IMAP (BAD [TEXT] too); at
                                  imap.connect, a BYE in place of the greeting
             drop                 close the connection without a reply
             delay=DURATION       wait before the reply, then go on as usual
  greylist[=DURATION]  451 4.7.1 to the first RCPT from each client, sender and
                       recipient; a retry (made DURATION later) passes
  maxconn=N            at most N connections at once per listener; more get 421
                       (POP3: -ERR [SYS/TEMP])
  ext=KEYWORD          keep advertising KEYWORD but refuse to use it: STARTTLS and
                       AUTH get 454, CHUNKING (BDAT) 502, SIZE=, BODY=8BITMIME and
                       SMTPUTF8 on MAIL 555
  pop3.ext=KEYWORD     the same for POP3's STLS, TOP, UIDL, USER or SASL
  pop3.busy[~USER]     logins get -ERR [IN-USE], as if another session held the
                       mailbox
  smuggle:lenient      UNSAFE, for showing SMTP smuggling (CVE-2023-51764): read
                       DATA as vulnerable servers do, a bare LF ending a line and
                       <LF>.<LF> the message, and store bare CRs and LFs; without
                       it DATA ends only at <CRLF>.<CRLF> and a message with a
                       bare CR or LF is refused with 550 5.5.2

Examples, one per rule:
  --fault connect:554                    refuse every session, as in the lecture
  --fault connect#1:421                  refuse only the first connection
  --fault mail:451                       451 4.3.0 to every MAIL FROM
  --fault 'rcpt#3:452'                   452 4.5.3 to the 3rd RCPT of each message
  --fault 'rcpt~*@spam.example:550'      550 5.1.1 for recipients at spam.example
  --fault data:450                       450 4.2.1 to DATA
  --fault dot:451                        451 after the final ".": not delivered
  --fault dot:drop                       close after the final ".", before the reply
  --fault 'mail:550 5.7.1 Go away'       a reply of your own
  --fault any:delay=3s                   wait 3 seconds before every reply
  --fault greylist                       greylisting: 451 first, accept the retry
  --fault greylist=1m                    ... only if the retry comes a minute later
  --fault maxconn=1                      one connection at a time; the next gets 421
  --fault ext=STARTTLS                   advertise STARTTLS, answer it with 454
  --fault pop3.retr:-ERR                 -ERR to every RETR
  --fault 'pop3.retr#2:drop'             close the connection at the 2nd RETR
  --fault pop3.busy                      every POP3 login finds the mailbox busy
  --fault pop3.any:delay=2s              wait 2 seconds before every POP3 reply
  --fault 'imap.fetch#2:drop'            close the connection at the 2nd FETCH
  --fault imap.login:NO                  every IMAP login is refused
  --fault 'imap.append:NO [OVERQUOTA] Mailbox full'  refuse every APPEND
  --fault smuggle:lenient                DATA ends at <LF>.<LF> too: open to smuggling
`
