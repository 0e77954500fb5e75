package testlists

import (
	"encoding/csv"
	"io"
)

// Write writes entries as a list in the Citizen Lab format: the header,
// then one row per entry, quoted only where needed, lines ending in "\n"
// (as upstream's own scripts write them). Reading what Write wrote gives
// the same entries.
func Write(w io.Writer, entries []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for _, e := range entries {
		if err := cw.Write([]string{e.URL, e.CategoryCode, e.CategoryDescription, e.DateAdded, e.Source, e.Notes}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
