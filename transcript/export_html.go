package transcript

import (
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mailsh/mailsh/proto"
)

// Colours as the shell uses them, for a light page.
var classColour = map[proto.Class]string{
	proto.ClassPositive:     "#1a7f37",
	proto.ClassIntermediate: "#0b7a8f",
	proto.ClassTransient:    "#9a6700",
	proto.ClassPermanent:    "#cf222e",
	proto.ClassUnknown:      "#57606a",
}

const htmlHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%s</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #1f2328; background: #fff; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; margin-top: 2em; }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: 13px; line-height: 1.35; }
.c { color: #6e7781; } .n { color: #8250df; } .b { color: #1f2328; }
.k2 { color: #1a7f37; } .k3 { color: #0b7a8f; } .k4 { color: #9a6700; } .k5 { color: #cf222e; } .k0 { color: #57606a; }
table { border-collapse: collapse; font-size: 13px; margin-top: 1em; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; } code { font-size: 12px; }
svg text { font-family: ui-monospace, monospace; font-size: 12px; }
.warn { color: #cf222e; font-weight: bold; }
</style>
</head>
<body>
<h1>%s</h1>
`

// ExportHTML writes the transcript at path as one self-contained HTML page:
// for each session a sequence diagram (client and server lifelines, one
// arrow per command and reply) drawn as inline SVG, the listing coloured
// like the shell, and the table of commands and replies.
func ExportHTML(path string, w io.Writer) error {
	sessions, err := collect(path)
	if err != nil {
		return err
	}
	bw := &errWriter{w: w}
	title := htmlTitle(sessions)
	bw.printf(htmlHead, html.EscapeString(title), html.EscapeString(title))
	cur := -1
	class := proto.ClassUnknown
	endSession := func() {
		if cur >= 0 {
			bw.printf("</pre>\n")
			writeHTMLTable(bw, sessions[cur].xs)
		}
	}
	err = forEachLine(path, func(idx int, e Entry) {
		if idx != cur {
			endSession()
			cur = idx
			s := sessions[idx]
			bw.printf("<h2>%s</h2>\n<p>Recorded %s with mailsh %s.", html.EscapeString(s.h.Target), s.h.Started.Format("2006-01-02 15:04:05 MST"), html.EscapeString(s.h.Version))
			if !s.h.Redaction {
				bw.printf(` <span class="warn">Recorded without redaction: this page may contain passwords.</span>`)
			}
			bw.printf("</p>\n")
			writeDiagram(bw, s.xs)
			bw.printf("<pre>")
		}
		cls := "b"
		switch e.Dir {
		case Client, ClientBody:
			cls = "c"
		case Note:
			cls = "n"
		case Server:
			if rep := parseReply(protoOf(sessions[idx].h.Target, e.Text), e.Text); rep != nil {
				class = rep.Class()
			}
			cls = fmt.Sprintf("k%d", kindDigit(class))
		case ServerBody:
			cls = "b"
		}
		text := e.Text
		if e.Dir == Note {
			text = "* " + text
		}
		bw.printf(`<span class="%s">%s</span>`+"\n", cls, html.EscapeString(text))
	})
	if err != nil {
		return err
	}
	endSession()
	bw.printf("</body>\n</html>\n")
	return bw.err
}

// htmlTitle names the servers of every session in the file, in order, each
// once: "mailsh transcript: smtp://127.0.0.1:2525, pop3://127.0.0.1:1110".
func htmlTitle(sessions []*sessionExchanges) string {
	var targets []string
	seen := map[string]bool{}
	for _, s := range sessions {
		if !seen[s.h.Target] {
			seen[s.h.Target] = true
			targets = append(targets, s.h.Target)
		}
	}
	if len(targets) == 0 {
		return "mailsh transcript"
	}
	return "mailsh transcript: " + strings.Join(targets, ", ")
}

func kindDigit(c proto.Class) int {
	switch c {
	case proto.ClassPositive:
		return 2
	case proto.ClassIntermediate:
		return 3
	case proto.ClassTransient:
		return 4
	case proto.ClassPermanent:
		return 5
	}
	return 0
}

// writeDiagram draws a sequence diagram: the client's lifeline on the
// left, the server's on the right, time running down; a command is an
// arrow to the right, its reply an arrow back, coloured by class, with the
// time the reply took.
func writeDiagram(bw *errWriter, xs []*Exchange) {
	const (
		width   = 900
		left    = 150
		right   = 750
		top     = 60
		step    = 30
		maxText = 70
	)
	rows := 0
	for _, x := range xs {
		if x.Command != "" {
			rows++
		}
		if len(x.Reply) > 0 {
			rows++
		}
	}
	height := top + rows*step + 40
	bw.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="sequence diagram">`+"\n", width, height, width, height)
	bw.printf(`<defs><marker id="ah" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>` + "\n")
	for _, lx := range []struct {
		x    int
		name string
	}{{left, "Client (mailsh)"}, {right, "Server"}} {
		bw.printf(`<rect x="%d" y="10" width="160" height="28" rx="4" fill="#f6f8fa" stroke="#57606a"/>`, lx.x-80)
		bw.printf(`<text x="%d" y="29" text-anchor="middle" font-weight="bold">%s</text>`, lx.x, lx.name)
		bw.printf(`<line x1="%d" y1="38" x2="%d" y2="%d" stroke="#8c959f" stroke-dasharray="4 4"/>`+"\n", lx.x, lx.x, height-10)
	}
	y := top
	for _, x := range xs {
		if x.Command != "" {
			label := x.Command
			if x.LiteralSent > 0 {
				label = fmt.Sprintf("%s [%d lines of literal]", label, x.LiteralSent)
			}
			if x.BodySent > 0 {
				label = fmt.Sprintf("[%d lines of message text] %s", x.BodySent, label)
			}
			bw.printf(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#6e7781" stroke-width="1.5" marker-end="url(#ah)"/>`, left, y, right, y)
			bw.printf(`<text x="%d" y="%d" fill="#57606a">%s</text>`+"\n", left+8, y-5, html.EscapeString(shorten(label, maxText)))
			y += step
		}
		if len(x.Reply) > 0 {
			col := classColour[x.Class]
			label := x.Status
			if len(x.Reply) > 1 {
				label += fmt.Sprintf(" (+%d lines)", len(x.Reply)-1)
			}
			if x.BodyRecv > 0 || x.MultiLine {
				label += fmt.Sprintf(" [%d lines]", x.BodyRecv)
			}
			bw.printf(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" marker-end="url(#ah)"/>`, right, y, left, y, col)
			bw.printf(`<text x="%d" y="%d" fill="%s" text-anchor="end">%s</text>`, right-8, y-5, col, html.EscapeString(shorten(label, maxText)))
			if d := x.Took(); x.Command != "" {
				bw.printf(`<text x="%d" y="%d" fill="#8c959f" text-anchor="end">%s</text>`, left-10, y+4, humanDuration(d))
			}
			bw.printf("\n")
			y += step
		}
	}
	bw.printf("</svg>\n")
}

func writeHTMLTable(bw *errWriter, xs []*Exchange) {
	bw.printf("<table>\n<tr><th>#</th><th>Command</th><th>Reply</th><th>Time</th><th>Meaning</th></tr>\n")
	for _, x := range xs {
		cmd := "(greeting)"
		if x.Command != "" {
			cmd = x.Command
		}
		reply := ""
		if len(x.Reply) > 0 {
			reply = x.Status
		}
		took := "—"
		if x.Command != "" && !x.Replied.IsZero() {
			took = humanDuration(x.Took())
		}
		bw.printf(`<tr><td class="num">%d</td><td><code>%s</code></td><td><code class="k%d">%s</code></td><td class="num">%s</td><td>%s</td></tr>`+"\n",
			x.N, html.EscapeString(cmd), kindDigit(x.Class), html.EscapeString(reply), took, html.EscapeString(x.Meaning))
	}
	bw.printf("</table>\n")
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
