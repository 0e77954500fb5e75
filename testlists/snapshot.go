package testlists

import (
	"hash/fnv"
	"slices"
	"strings"
	"time"
)

// item is one URL as check-in hands it out.
type item struct {
	target Target
	key    string // Normalize(URL), for lookups by a URL written differently
	tie    uint64 // fixed pseudo-random order among equally stale URLs
}

// merged is what one country's probes measure: its own list, then the
// global list's URLs it does not already have, each URL once. URLs are
// compared as written, not by key: a variant that makes the same request
// (a trailing dot, upper case in the host) may be a deliberate test of a
// filter, and probes measure what the lists name.
type merged struct {
	items []*item
	byURL []int32 // indices of items, sorted by URL
}

// index finds a URL: as written, else by its normalised form (the first
// item with that key).
func (m *merged) index(url string) (int, bool) {
	i, ok := slices.BinarySearchFunc(m.byURL, url, func(idx int32, u string) int {
		return strings.Compare(m.items[idx].target.URL, u)
	})
	if ok {
		return int(m.byURL[i]), true
	}
	key, err := Normalize(url)
	if err != nil {
		return 0, false
	}
	for j, it := range m.items {
		if it.key == key {
			return j, true
		}
	}
	return 0, false
}

// snapshot is one loaded version of the lists. It is never modified after
// it is built, so check-ins read it without locks.
type snapshot struct {
	set       *Set
	version   uint64
	loadedAt  time.Time
	global    *merged
	countries map[string]*merged // by upper-case country code
	urls      int
}

// forCountry returns what a probe in country cc measures: its country's
// list merged with the global list, or the global list alone.
func (sn *snapshot) forCountry(cc string) *merged {
	if m := sn.countries[cc]; m != nil {
		return m
	}
	return sn.global
}

func newSnapshot(set *Set, version uint64, now time.Time, seed uint64) *snapshot {
	sn := &snapshot{set: set, version: version, loadedAt: now, countries: map[string]*merged{}}
	var globalItems []*item
	if g := set.Global(); g != nil {
		globalItems = items(g.Entries, GlobalCountryCode, seed)
		sn.urls += len(g.Entries)
	}
	sn.global = merge(nil, globalItems)
	for _, name := range set.Names() {
		l := set.Lists[name]
		if name == GlobalName {
			continue
		}
		sn.urls += len(l.Entries)
		if !l.IsCountry() {
			continue // a region (cis): no probe's country is named so
		}
		cc := strings.ToUpper(name)
		sn.countries[cc] = merge(items(l.Entries, cc, seed), globalItems)
	}
	return sn
}

func items(entries []Entry, cc string, seed uint64) []*item {
	out := make([]*item, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		h := fnv.New64a()
		h.Write([]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24),
			byte(seed >> 32), byte(seed >> 40), byte(seed >> 48), byte(seed >> 56)})
		h.Write([]byte(e.Key()))
		out = append(out, &item{
			target: Target{URL: e.URL, CategoryCode: e.CategoryCode, CountryCode: cc},
			key:    e.Key(),
			tie:    h.Sum64(),
		})
	}
	return out
}

// merge concatenates lists, keeping the first item of each URL.
func merge(lists ...[]*item) *merged {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	m := &merged{items: make([]*item, 0, n)}
	seen := make(map[string]bool, n)
	for _, l := range lists {
		for _, it := range l {
			if !seen[it.target.URL] {
				seen[it.target.URL] = true
				m.items = append(m.items, it)
			}
		}
	}
	m.byURL = make([]int32, len(m.items))
	for i := range m.byURL {
		m.byURL[i] = int32(i)
	}
	slices.SortFunc(m.byURL, func(a, b int32) int { return strings.Compare(m.items[a].target.URL, m.items[b].target.URL) })
	return m
}
