package message

// Style says how the views in this package are dressed for a terminal.
// The zero value prints plain text, as for a file or a pipe.
type Style struct {
	// Field dresses a header field name (bold in the shell).
	Field func(string) string
	// Note dresses mailsh's own remarks (notes on parts, problems).
	Note func(string) string
	// Warn dresses what must not be missed (clock skew, a broken part).
	Warn func(string) string
	// Bar is the character of the delay chart: "█" at a terminal; "#"
	// (the default) elsewhere.
	Bar string
	// Width is the terminal's width in columns; 0 means 80.
	Width int
}

func (s Style) field(t string) string {
	if s.Field == nil {
		return t
	}
	return s.Field(t)
}

func (s Style) note(t string) string {
	if s.Note == nil {
		return t
	}
	return s.Note(t)
}

func (s Style) warn(t string) string {
	if s.Warn == nil {
		return t
	}
	return s.Warn(t)
}

func (s Style) bar() string {
	if s.Bar == "" {
		return "#"
	}
	return s.Bar
}

func (s Style) width() int {
	if s.Width < 40 {
		if s.Width == 0 {
			return 80
		}
		return 40
	}
	if s.Width > 400 {
		return 400
	}
	return s.Width
}
