package testlists

import (
	"bufio"
	"io"
	"strings"
)

// Write writes entries as a list in the Citizen Lab format: the header,
// then one row per entry, lines ending in "\n", a field in double quotes
// only when it holds a comma, a quote or a line break (Python's
// QUOTE_MINIMAL, which upstream's scripts use: unlike encoding/csv it
// leaves a leading space unquoted, and real notes have one). Reading what
// Write wrote gives the same entries, and an upstream file read and
// written comes back byte for byte.
func Write(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	writeRow(bw, Header...)
	for _, e := range entries {
		writeRow(bw, e.URL, e.CategoryCode, e.CategoryDescription, e.DateAdded, e.Source, e.Notes)
	}
	return bw.Flush()
}

func writeRow(w *bufio.Writer, fields ...string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
		} else {
			w.WriteString(f)
		}
	}
	w.WriteByte('\n')
}
