package testlists

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkCategories checks each entry's category against the legend and
// returns the entries kept. Strictly (upstream's rules) an unknown or
// legacy code, or a description that differs from the legend's, is an
// error and the row is left out. Leniently (a volunteer's list) a legacy
// code becomes its current one, an unknown code is a warning, and the row
// stays.
func checkCategories(entries []Entry, lg *Legend, ps *problems, lenient bool) []Entry {
	kept := entries[:0]
	for _, e := range entries {
		code := e.CategoryCode
		cat, known := lg.Categories[code]
		switch {
		case known:
			if !lenient && e.CategoryDescription != cat.Description {
				ps.add(e.Line, Error, fmt.Sprintf("category_description %q does not match %s in the legend", e.CategoryDescription, code),
					fmt.Sprintf("write %q", cat.Description))
				continue
			}
		case lenient && code == "":
		case lg.Legacy[code] != "":
			newCode := lg.Legacy[code]
			msg := fmt.Sprintf("%s is a legacy category code", code)
			if name := lg.LegacyNames[code]; name != "" {
				msg = fmt.Sprintf("%s (%s) is a legacy category code", code, name)
			}
			if lenient {
				ps.add(e.Line, Warning, msg+"; counted as "+newCode, "write "+newCode)
				e.CategoryCode = newCode
				break
			}
			ps.add(e.Line, Error, msg, fmt.Sprintf("use %s,%s", newCode, lg.Categories[newCode].Description))
			continue
		default:
			sev := Error
			if lenient {
				sev = Warning
			}
			ps.add(e.Line, sev, fmt.Sprintf("category_code %q is not in the category legend", code),
				"use one of "+strings.Join(sortedCodes(lg), " "))
			if !lenient {
				continue
			}
		}
		kept = append(kept, e)
	}
	return kept
}

// checkDuplicates reports rows of one list with the same URL as an
// earlier row (an error, as upstream's CI has it) and rows of a country
// list that the global list already has (an error: every probe measures
// the global list anyway). global is nil for the global list itself.
func checkDuplicates(l *List, global map[string]int, ps *problems) {
	seen := make(map[string]int, len(l.Entries))
	kept := l.Entries[:0]
	for _, e := range l.Entries {
		if first, dup := seen[e.URL]; dup {
			ps.add(e.Line, Error, fmt.Sprintf("%s is already on line %d", e.URL, first), "remove one of the two rows")
			continue
		}
		seen[e.URL] = e.Line
		if gl, dup := global[e.URL]; dup {
			ps.add(e.Line, Error, fmt.Sprintf("%s is already in %s.csv (line %d), which every probe measures", e.URL, GlobalName, gl),
				"remove this row, or remove it from the global list if it matters only here")
			continue
		}
		kept = append(kept, e)
	}
	l.Entries = kept
}

func sortedCodes(lg *Legend) []string {
	return slices.Sorted(maps.Keys(lg.Categories))
}
