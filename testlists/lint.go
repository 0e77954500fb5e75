package testlists

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Lint looks for what makes a valid list worse than it could be, and
// returns warnings:
//
//   - rows of one list, or of a country list and the global list, that
//     make the same request although their URLs differ in writing (case,
//     default port, trailing dot, escapes, or only the part after "#",
//     which never leaves the browser);
//   - host names written with upper-case letters;
//   - lists whose name is not a country of the country legend, and
//     lists that are not countries at all (check-in never hands them out).
//
// http:// and https://, or www. and the bare domain, are not duplicates:
// lists test both on purpose. The same URL in two country lists is not
// reported either: each country's experts chose it. Exact duplicates are
// errors that LoadDir already reports.
func Lint(set *Set) []*Problem {
	var out []*Problem
	var global map[string]*Entry
	if g := set.Global(); g != nil {
		global = make(map[string]*Entry, len(g.Entries))
		for i := range g.Entries {
			global[g.Entries[i].Key()] = &g.Entries[i]
		}
	}
	for _, name := range set.Names() {
		l := set.Lists[name]
		ps := &problems{file: filepath.ToSlash(l.Path)}
		lintListName(l, set.Legend, ps)
		seen := make(map[string]*Entry, len(l.Entries))
		for i := range l.Entries {
			e := &l.Entries[i]
			lintHost(e, ps)
			if first := seen[e.Key()]; first != nil {
				ps.add(e.Line, Warning, fmt.Sprintf("%s makes the same request as %s on line %d%s", e.URL, first.URL, first.Line, variantNote(e, first)),
					"keep one of the two rows, unless the difference is a deliberate test")
				continue
			}
			seen[e.Key()] = e
			if g := global[e.Key()]; g != nil && name != GlobalName {
				ps.add(e.Line, Warning, fmt.Sprintf("%s makes the same request as %s in %s.csv (line %d), which every probe measures%s",
					e.URL, g.URL, GlobalName, g.Line, variantNote(e, g)), "remove this row, unless the difference is a deliberate test")
			}
		}
		out = append(out, ps.list...)
	}
	sortProblems(out)
	return out
}

// variantNote says how two URLs that make the same request differ.
func variantNote(a, b *Entry) string {
	if strings.Contains(a.URL, "#") || strings.Contains(b.URL, "#") {
		return " (the part after # is not sent to the server)"
	}
	return " (a trailing dot, upper case or a default port can slip past a filter: probes measure both)"
}

func lintListName(l *List, lg *Legend, ps *problems) {
	if l.Name == GlobalName {
		return
	}
	if !l.IsCountry() {
		ps.add(0, Warning, fmt.Sprintf("%q is not a two-letter country code: check-in never hands out this list", l.Name),
			"rename it to a country code, or copy its rows into the country lists that need them")
		return
	}
	if len(lg.Countries) > 0 && lg.Countries[strings.ToUpper(l.Name)] == "" {
		ps.add(0, Warning, fmt.Sprintf("%s is not in %s", strings.ToUpper(l.Name), CountryLegendFile),
			fmt.Sprintf("add a row %s,<country name> to the legend", strings.ToUpper(l.Name)))
	}
}

func lintHost(e *Entry, ps *problems) {
	u, err := url.Parse(e.URL)
	if err != nil {
		return
	}
	if h := u.Hostname(); h != strings.ToLower(h) {
		ps.add(e.Line, Warning, fmt.Sprintf("the host %q has upper-case letters", h),
			"write it in lower case, "+strings.ToLower(h)+", so duplicates are found")
	}
}
