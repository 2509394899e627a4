package termsafe

import "testing"

func TestString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		in   string
		o    Options
		want string
	}{
		{"plain", "250 mail.example.com", Options{}, "250 mail.example.com"},
		{"accents", "olá, São Paulo", Options{}, "olá, São Paulo"},
		{"escape sequence", "\x1b]0;pwned\x07", Options{}, `\x1b]0;pwned\x07`},
		{"C1 CSI", "a\u009bb", Options{}, `a\x9bb`},
		{"invalid UTF-8", "bad \xff", Options{}, `bad \xff`},
		{"tab kept", "a\tb", Options{}, "a\tb"},
		{"tab shown", "a\tb", Options{ShowTab: true}, `a\x09b`},
		{"CRLF kept", "a\r\nb", Options{KeepNewlines: true}, "a\nb"},
		{"CR shown", "a\rb", Options{}, `a\rb`},
		// Bidirectional controls: the "Trojan Source" reordering.
		{"RLO", "250 \u202Emoc.elpmaxe", Options{}, `250 \u202Emoc.elpmaxe`},
		{"ALM", "a\u061Cb", Options{}, `a\u061Cb`},
		{"LRM RLM", "\u200Ex\u200F", Options{}, `\u200Ex\u200F`},
		{"embeddings and PDF", "\u202A\u202B\u202C\u202D", Options{}, `\u202A\u202B\u202C\u202D`},
		{"isolates", "\u2066\u2067\u2068\u2069", Options{}, `\u2066\u2067\u2068\u2069`},
		// Other invisible format characters.
		{"zero-width space", "pay\u200Bpal", Options{}, `pay\u200Bpal`},
		{"BOM", "\uFEFF220 hi", Options{}, `\uFEFF220 hi`},
		{"word joiner", "a\u2060b", Options{}, `a\u2060b`},
		{"soft hyphen", "Silben\u00ADtrennung", Options{}, `Silben\u00ADtrennung`},
		{"tag characters", "ok\U000E0041\U000E0042", Options{}, `ok\U000E0041\U000E0042`},
		{"line separator", "a\u2028b\u2029c", Options{}, `a\u2028b\u2029c`},
		// Joiners that words and emoji need stay.
		{"ZWNJ", "می\u200Cخواهم", Options{}, "می\u200Cخواهم"},
		{"ZWJ emoji", "👩\u200D💻", Options{}, "👩\u200D💻"},
		{"Hebrew and Arabic text", "שלום مرحبا", Options{}, "שלום مرحبا"},
	} {
		if got := String(tt.in, tt.o); got != tt.want {
			t.Errorf("%s: String(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestInvisible(t *testing.T) {
	t.Parallel()
	for _, r := range []rune{0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0xFEFF, 0x00AD, 0x2028, 0xE0001} {
		if !Invisible(r) {
			t.Errorf("U+%04X not taken as invisible", r)
		}
	}
	for _, r := range []rune{'a', ' ', 'é', 0x200C, 0x200D, 0x05D0, 0x0627, 0x1F600} {
		if Invisible(r) {
			t.Errorf("U+%04X taken as invisible", r)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"slides.ppt":                 `"slides.ppt"`,
		`a "b" \ c`:                  `"a \"b\" \\ c"`,
		"bell\a tab\t":               `"bell\x07 tab\x09"`,
		"\x1b[2J\u202Etxt.exe\u2066": `"\x1b[2J\u202Etxt.exe\u2066"`,
		"olá\xff":                    `"olá\xff"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
