package proto

import (
	"fmt"
	"slices"
	"strings"
)

// ReportTable lists a map's keys, sorted, with their values, for a
// protocol's Report.
func ReportTable(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimRight(fmt.Sprintf("  %-20s %s", k, m[k]), " ")
	}
	return out
}

// ReportMessages is the line of a Report that lists the messages known.
func ReportMessages(s *Snapshot, unknown string) string {
	var ms []string
	for _, m := range s.Messages {
		if m.Size >= 0 {
			ms = append(ms, fmt.Sprintf("%d (%d octets)", m.Num, m.Size))
		} else {
			ms = append(ms, fmt.Sprint(m.Num))
		}
	}
	if len(ms) == 0 && s.Count < 0 {
		return "messages: " + unknown
	}
	return "messages: " + strings.Join(ms, ", ")
}
