package main

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// The session log of mailsh serve (its stderr) shows every login, right
// or wrong, and never a password, a PASS argument or anything of an AUTH
// exchange: not the base64 of the PLAIN message, of the LOGIN user name
// or password, of a CRAM-MD5 response, nor the challenges; not an APOP
// digest. Each login is made in clear text, as a client on this machine
// may.
func TestServeLogKeepsSecrets(t *testing.T) {
	t.Parallel()
	const user, pass, wrong = "carol", "Lq7-keep-Out-93", "Zr4-guess-Nope-61"
	s := startServe(t, isolatedHome(t), "--user", user+":"+pass,
		"--auth-failure-delay", "1ms", "--max-auth-failure-delay", "2ms")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	secrets := []string{pass, wrong, b64(pass), b64(wrong), b64(user),
		b64("\x00" + user + "\x00" + pass), b64("\x00" + user + "\x00" + wrong),
		b64("Username:"), b64("Password:")}
	fill := strings.NewReplacer("{user}", user, "{pass}", pass, "{wrong}", wrong,
		"{user64}", b64(user), "{pass64}", b64(pass), "{wrong64}", b64(wrong),
		"{plain}", b64("\x00"+user+"\x00"+pass), "{plainwrong}", b64("\x00"+user+"\x00"+wrong))
	script := func(text string) func(w *wire) {
		return func(w *wire) { w.converse(fill.Replace(text)) }
	}
	smtpScript := func(text string) func(w *wire) {
		return func(w *wire) { w.ehlo(); w.converse(fill.Replace(text)) }
	}
	tests := []struct {
		name   string
		addr   string
		play   func(w *wire)
		logged []string // patterns of the log lines this session adds
	}{
		{"pop3 USER/PASS", s.pop3, script(`
			S: +OK*
			C: USER {user}
			S: +OK*
			C: PASS {wrong}
			S: -ERR [AUTH] Invalid user name or password
			C: USER {user}
			S: +OK*
			C: PASS {pass}
			S: +OK Logged in as carol*
			C: QUIT
			S: +OK*`),
			[]string{`USER/PASS: login failed \(1\)`, `USER/PASS: logged in as carol`}},
		{"pop3 APOP", s.pop3, func(w *wire) {
			g := w.line()
			stamp := g[strings.IndexByte(g, '<'):]
			for _, p := range []string{wrong, pass} {
				sum := md5.Sum([]byte(stamp + p))
				digest := hex.EncodeToString(sum[:])
				secrets = append(secrets, digest)
				w.send("APOP " + user + " " + digest)
			}
			w.converse(`
				S: -ERR [AUTH] Invalid user name or password
				S: +OK Logged in as carol*
				C: QUIT
				S: +OK*`)
		}, []string{`APOP: login failed \(1\)`, `APOP: logged in as carol`}},
		{"pop3 AUTH PLAIN", s.pop3, script(`
			S: +OK*
			C: AUTH PLAIN {plainwrong}
			S: -ERR [AUTH] Invalid user name or password
			C: AUTH PLAIN
			S: +*
			C: {plain}
			S: +OK Logged in as carol*
			C: QUIT
			S: +OK*`),
			[]string{`pop3#\d+ AUTH PLAIN: login failed \(1\)`, `pop3#\d+ AUTH PLAIN: logged in as carol`}},
		{"smtp AUTH LOGIN with an initial response", s.smtp, smtpScript(`
			C: AUTH LOGIN {user64}
			S: 334 UGFzc3dvcmQ6
			C: {wrong64}
			S: 535 5.7.8 *
			C: AUTH LOGIN {user64}
			S: 334 UGFzc3dvcmQ6
			C: {pass64}
			S: 235 2.7.0 *
			C: QUIT
			S: 221 *`),
			[]string{`AUTH LOGIN: failed \(1\)`, `AUTH LOGIN: logged in as carol`}},
		{"smtp AUTH LOGIN with challenges", s.smtp, smtpScript(`
			C: AUTH LOGIN
			S: 334 VXNlcm5hbWU6
			C: {user64}
			S: 334 UGFzc3dvcmQ6
			C: {wrong64}
			S: 535 5.7.8 *
			C: AUTH LOGIN
			S: 334 VXNlcm5hbWU6
			C: {user64}
			S: 334 UGFzc3dvcmQ6
			C: {pass64}
			S: 235 2.7.0 *
			C: QUIT
			S: 221 *`),
			[]string{`AUTH LOGIN: failed \(1\)`, `AUTH LOGIN: logged in as carol`}},
		{"smtp AUTH PLAIN", s.smtp, smtpScript(`
			C: AUTH PLAIN {plainwrong}
			S: 535 5.7.8 *
			C: AUTH PLAIN
			S: 334*
			C: {plain}
			S: 235 2.7.0 *
			C: QUIT
			S: 221 *`),
			[]string{`smtp#\d+ AUTH PLAIN: failed \(1\)`, `smtp#\d+ AUTH PLAIN: logged in as carol`}},
		{"smtp AUTH CRAM-MD5", s.smtp, func(w *wire) {
			w.ehlo()
			w.send("AUTH CRAM-MD5")
			ch, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(w.line(), "334 "))
			if err != nil {
				w.t.Fatal(err)
			}
			mac := hmac.New(md5.New, []byte(pass))
			mac.Write(ch)
			resp := b64(user + " " + hex.EncodeToString(mac.Sum(nil)))
			secrets = append(secrets, resp)
			w.send(resp)
			w.converse("S: 235 2.7.0 *")
		}, []string{`AUTH CRAM-MD5: logged in as carol`}},
		{"imap LOGIN", s.imap, script(`
			S: * OK*
			C: a LOGIN {user} {wrong}
			S: a NO [AUTHENTICATIONFAILED] Invalid user name or password
			C: b LOGIN {user} {pass}
			S: * OK [ALERT]*
			S: b OK*
			C: c LOGOUT
			S: * BYE*
			S: c OK*`),
			[]string{`imap#\d+ login failed \(1\)`, `imap#\d+ logged in as carol without TLS`}},
		{"imap AUTHENTICATE PLAIN", s.imap, script(`
			S: * OK*
			C: a AUTHENTICATE PLAIN {plainwrong}
			S: a NO [AUTHENTICATIONFAILED] Invalid user name or password
			C: b AUTHENTICATE PLAIN
			S: +*
			C: {plain}
			S: * OK [ALERT]*
			S: b OK*
			C: c LOGOUT
			S: * BYE*
			S: c OK*`),
			[]string{`imap#\d+ login failed \(1\)`, `imap#\d+ logged in as carol without TLS`}},
	}
	want := map[string]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.play(dialWire(t, tt.addr))
		})
		for _, l := range tt.logged {
			want[l]++
		}
	}
	// Stopping waits for the whole log.
	if code := s.stop(t); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	log := s.stderr.String()
	for re, n := range want {
		if got := len(regexp.MustCompile(re).FindAllString(log, -1)); got < n {
			t.Errorf("log shows %q %d times, want %d", re, got, n)
		}
	}
	for _, secret := range secrets {
		if strings.Contains(log, secret) {
			t.Errorf("log shows %q", secret)
		}
	}
}
