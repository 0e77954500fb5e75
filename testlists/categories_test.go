package testlists

import (
	"net/url"
	"strings"
	"testing"
)

func TestDomainCategories(t *testing.T) {
	set, problems := LoadDir("testdata/lists")
	if set == nil {
		t.Fatalf("load: %v", problems)
	}
	cats := set.DomainCategories()
	if len(cats) < 100 {
		t.Fatalf("only %d domains", len(cats))
	}
	for host, code := range cats {
		if host == "" || code == "" || strings.HasSuffix(host, ".") || host != strings.ToLower(host) {
			t.Fatalf("bad entry %q → %q", host, code)
		}
	}
	// The global list's choice wins over a country list's.
	for _, e := range set.Global().Entries {
		u, err := url.Parse(e.URL)
		if err != nil {
			continue
		}
		host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		if first := firstGlobal(set, host); cats[host] != first {
			t.Fatalf("%s: %q, want the global list's first %q", host, cats[host], first)
		}
	}
}

func firstGlobal(set *Set, host string) string {
	for _, e := range set.Global().Entries {
		if u, err := url.Parse(e.URL); err == nil && strings.TrimSuffix(strings.ToLower(u.Hostname()), ".") == host {
			return e.CategoryCode
		}
	}
	return ""
}
