package message

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTree prints a MIME tree as an indented table: part number, content
// type, charset, transfer encoding, size and file name, with any problem
// under the part it concerns. Defaults that the message only implies are
// in parentheses: "(7bit)", "(us-ascii)" (RFC 2045 §5.2, §6.1).
func WriteTree(w io.Writer, top *Part, st Style) error {
	sums := false
	top.Each(func(p *Part) { sums = sums || p.SHA256 != "" })
	head := []string{"PART", "TYPE", "CHARSET", "ENCODING", "SIZE", "FILENAME"}
	if sums {
		head = append(head, "SHA-256")
	}
	rows := [][]string{head}
	var notes [][]string // problems, by row
	top.Each(func(p *Part) {
		typ := strings.Repeat("  ", p.Depth) + p.Type
		cs := ""
		if strings.HasPrefix(p.Type, "text/") {
			cs = p.Charset
			if cs == "" {
				cs = "(us-ascii)"
			} else if !knownCharset(cs) {
				cs += " (unknown)"
			}
		}
		enc, size := p.Encoding, HumanSize(p.Size)
		switch {
		case p.container:
			enc = ""
			size = plural(len(p.Parts), "part")
		case enc == "":
			enc = "(7bit)"
		}
		name := ""
		if p.Filename != "" {
			name = quote(p.Filename)
		}
		row := []string{p.Number, printable(typ), printable(cs), printable(enc), size, name}
		if sums {
			row = append(row, p.SHA256)
		}
		rows = append(rows, row)
		notes = append(notes, p.Problems)
	})
	widths := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for i, r := range rows {
		line := ""
		for j, c := range r {
			if j == len(r)-1 {
				line += c
			} else {
				line += c + strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)+2)
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		if i > 0 {
			for _, n := range notes[i-1] {
				indent := strings.Repeat(" ", widths[0]+2+2*rowDepth(rows[i][1]))
				b.WriteString(indent + st.warn("! "+n) + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func rowDepth(typ string) int {
	return (len(typ) - len(strings.TrimLeft(typ, " "))) / 2
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
