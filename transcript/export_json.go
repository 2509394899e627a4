package transcript

import (
	"encoding/json"
	"io"
	"time"
)

// jsonLine is one line of the JSON Lines export.
type jsonLine struct {
	Type      string `json:"type"` // "session" or "line"
	Session   int    `json:"session"`
	Target    string `json:"target,omitempty"`
	Version   string `json:"version,omitempty"`
	Started   string `json:"started,omitempty"`
	Redaction *bool  `json:"redaction,omitempty"`
	TLS       string `json:"tls,omitempty"`
	Time      string `json:"time,omitempty"`
	Dir       string `json:"dir,omitempty"` // "client", "server", "note"
	Body      bool   `json:"body,omitempty"`
	Text      string `json:"text,omitempty"`
}

// ExportJSON writes the transcript as JSON Lines: a "session" object for
// each header, then a "line" object per entry, streaming. Each object
// carries the number of its session as the file's header gives it.
func ExportJSON(path string, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	session := 0
	return forEach(path, func(_ int, h *Header) error {
		red := h.Redaction
		session = h.Session
		return enc.Encode(jsonLine{Type: "session", Session: session, Target: h.Target, Version: h.Version,
			Started: h.Started.Format(time.RFC3339Nano), Redaction: &red, TLS: h.TLS})
	}, func(_ int, e Entry) error {
		l := jsonLine{Type: "line", Session: session, Time: e.Time.Format(time.RFC3339Nano), Text: e.Text, Body: e.Body()}
		switch {
		case e.FromClient():
			l.Dir = "client"
		case e.FromServer():
			l.Dir = "server"
		default:
			l.Dir = "note"
		}
		return enc.Encode(l)
	})
}
