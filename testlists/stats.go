package testlists

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Stats describes a Set: per list and per category.
type Stats struct {
	Lists      []ListStats     `json:"lists"`
	Categories []CategoryStats `json:"categories"`
	URLs       int             `json:"urls"`
}

// ListStats describes one list.
type ListStats struct {
	Name    string `json:"name"`              // "ir", "global", "cis"
	Country string `json:"country,omitempty"` // from the country legend
	// Served says whether check-in hands the list out (global and
	// two-letter country lists).
	Served     bool           `json:"served"`
	URLs       int            `json:"urls"`
	Hosts      int            `json:"hosts"`
	ByCategory map[string]int `json:"by_category"`
	// Oldest and Newest are the extreme date_added values.
	Oldest string `json:"oldest,omitempty"`
	Newest string `json:"newest,omitempty"`
	// CheckIn is how many distinct URLs a probe of this country is
	// served: the list merged with the global list (country lists only).
	CheckIn int `json:"check_in,omitempty"`
}

// CategoryStats describes one category across lists.
type CategoryStats struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	URLs        int    `json:"urls"`
	Lists       int    `json:"lists"` // lists with at least one URL of it
}

// ComputeStats counts URLs per list and per category.
func ComputeStats(set *Set) Stats {
	var st Stats
	cats := map[string]*CategoryStats{}
	for code, c := range set.Legend.Categories {
		cats[code] = &CategoryStats{Code: code, Description: c.Description}
	}
	global := merge(items(globalEntries(set), GlobalCountryCode, 0))
	for _, name := range set.Names() {
		l := set.Lists[name]
		ls := ListStats{Name: name, Served: name == GlobalName || l.IsCountry(), URLs: len(l.Entries),
			ByCategory: map[string]int{}}
		if l.IsCountry() {
			ls.Country = set.Legend.Countries[strings.ToUpper(name)]
			ls.CheckIn = len(merge(items(l.Entries, "", 0), global.items).items)
		}
		hosts := map[string]bool{}
		for _, e := range l.Entries {
			ls.ByCategory[e.CategoryCode]++
			if u, err := url.Parse(e.URL); err == nil {
				hosts[strings.ToLower(u.Hostname())] = true
			}
			if e.DateAdded != "" && (ls.Oldest == "" || e.DateAdded < ls.Oldest) {
				ls.Oldest = e.DateAdded
			}
			ls.Newest = max(ls.Newest, e.DateAdded)
		}
		ls.Hosts = len(hosts)
		for code, n := range ls.ByCategory {
			c := cats[code]
			if c == nil {
				c = &CategoryStats{Code: code}
				cats[code] = c
			}
			c.URLs += n
			c.Lists++
		}
		st.URLs += ls.URLs
		st.Lists = append(st.Lists, ls)
	}
	for _, code := range slices.Sorted(maps.Keys(cats)) {
		st.Categories = append(st.Categories, *cats[code])
	}
	return st
}

func globalEntries(set *Set) []Entry {
	if g := set.Global(); g != nil {
		return g.Entries
	}
	return nil
}
