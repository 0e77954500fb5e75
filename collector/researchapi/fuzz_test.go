package researchapi

import (
	"testing"
	"time"
)

// FuzzParams feeds query strings to every parameter parser: they return a
// value or an ErrBadParam, never panic, and what they accept is in range.
func FuzzParams(f *testing.F) {
	for _, s := range []string{
		"probe_cc=IR&probe_asn=AS44244&domain=twitter.com&test_name=web_connectivity",
		"since=2026-11-01&until=2026-11-22T10:00:00Z&limit=50&verdict=confirmed",
		"cursor=MTc2MzQ1NjAwMDp1aWQ", "probe_cc=IR%27%20OR%201=1", "domain=%00", "limit=-1", "a=1&a=2", "%zz",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := parseParams(raw, searchParams...)
		if err != nil {
			return
		}
		if fl, err := p.filter(); err == nil {
			if fl.CC != "" && !ccRe.MatchString(fl.CC) || fl.Domain != "" && !domainRe.MatchString(fl.Domain) {
				t.Fatalf("accepted %+v", fl)
			}
		}
		if since, until, err := p.timeRange(now, 31, 366); err == nil && !until.After(since) {
			t.Fatalf("accepted a backwards range %s %s", since, until)
		}
		if n, err := p.intParam("limit", 100, 1, 1000); err == nil && (n < 1 || n > 1000) {
			t.Fatalf("accepted limit %d", n)
		}
		if c := p.get("cursor"); c != "" {
			if cur, err := parseCursor(c); err == nil {
				back, err := parseCursor(cur.String())
				if err != nil || back != cur {
					t.Fatalf("cursor does not round-trip: %+v %+v %v", cur, back, err)
				}
			}
		}
	})
}
