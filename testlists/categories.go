package testlists

import (
	"net/url"
	"strings"
)

// DomainCategories maps each host name of the lists (lower case, without
// a trailing dot) to its Citizen Lab category code, for reports that group
// blocked sites by category. The global list wins over country lists, and
// among country lists the first by name, so the answer is stable.
func (s *Set) DomainCategories() map[string]string {
	out := map[string]string{}
	add := func(l *List) {
		for _, e := range l.Entries {
			u, err := url.Parse(e.URL)
			if err != nil || u.Hostname() == "" || e.CategoryCode == "" {
				continue
			}
			host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
			if _, seen := out[host]; !seen {
				out[host] = e.CategoryCode
			}
		}
	}
	if g := s.Global(); g != nil {
		add(g)
	}
	for _, name := range s.Names() {
		if name != GlobalName {
			add(s.Lists[name])
		}
	}
	return out
}
