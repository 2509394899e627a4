package main

import (
	"testing"
)

// --ehlo NAME is the name in the EHLO mailsh sends itself before
// STARTTLS, with --starttls or :starttls; the built-in server's 250 reply
// shows the name it received.
func TestEHLOName(t *testing.T) {
	t.Parallel()
	s := startServe(t, []string{"XDG_DATA_HOME=" + t.TempDir()})
	tests := []struct {
		name  string
		input string
		args  []string
	}{
		{"--starttls", "QUIT\n", []string{"--starttls"}},
		{":starttls", ":starttls\nQUIT\n", nil},
		{"submission://", "QUIT\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			target := "smtp://" + s.smtp
			if tt.name == "submission://" {
				target = "submission://" + s.smtp
			}
			args := append([]string{"--ehlo", "relay.example.test", "--cafile", s.certFile, target}, tt.args...)
			mailsh(t, tt.input, isolatedHome(t), args...).must(t, 0,
				"C: EHLO relay.example.test\n", "S: 250-localhost Hello relay.example.test [127.0.0.1]", "* TLS started", "S: 221 ")
		})
	}
}
