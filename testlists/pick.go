package testlists

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// Request is what a check-in asks for.
type Request struct {
	// CC is the probe's country ("IR"); the collector's geolocation wins
	// over what the probe says. Empty or unknown: the global list alone.
	CC string
	// ASN is the probe's network ("AS12345"); rotation is kept per
	// network so that every network of a country covers the whole list.
	ASN string
	// Categories restricts the targets to these category codes; empty
	// means all. Legacy codes (FEXP) count as their current ones (NEWS).
	Categories []string
	// OptOut removes these categories: the volunteer does not want them.
	OptOut []string
	// Max is how many targets to return; 0 means Config.DefaultTargets,
	// and Config.MaxTargets caps it.
	Max int
	// Now is when the check-in happens. OPTIONAL: Config.Now.
	Now time.Time
}

// Target is one URL to measure. Its fields are probeapi.CheckInTarget's.
type Target struct {
	URL          string
	CategoryCode string
	// CountryCode is the list it comes from: the probe's country code, or
	// "XX" for the global list (OONI's convention).
	CountryCode string
}

// RequestFromCheckIn builds a Request from a check-in body, with the
// country and network the collector determined and the time of the
// check-in.
func RequestFromCheckIn(in *probeapi.CheckInRequest, cc, asn string, now time.Time) Request {
	r := Request{CC: cc, ASN: asn, OptOut: in.CategoriesOptOut, Max: in.MaxTargets, Now: now}
	if in.WebConnectivity != nil {
		r.Categories = in.WebConnectivity.CategoryCodes
	}
	return r
}

// CheckInTargets converts targets to the check-in's wire type.
func CheckInTargets(ts []Target) []probeapi.CheckInTarget {
	out := make([]probeapi.CheckInTarget, len(ts))
	for i, t := range ts {
		out[i] = probeapi.CheckInTarget{URL: t.URL, CategoryCode: t.CategoryCode, CountryCode: t.CountryCode}
	}
	return out
}

// candidate is a URL in the running for one Pick, with its sort keys.
type candidate struct {
	idx     int32
	changed uint32 // minute of a verdict change not yet re-measured here; 0 if none
	network uint32 // last handed out or measured in this network
	country uint32 // … anywhere in the country
	tie     uint64
}

// Pick chooses the targets for one check-in and records them as handed
// out. The order of preference is:
//
//  1. URLs whose verdict changed in the country within Config.ChangedFor
//     and that this network has not been handed since, newest change
//     first;
//  2. then the URLs this network was handed (or measured) longest ago,
//     never first;
//  3. among those, the URLs the whole country saw longest ago, so that
//     networks checking in at the same time complement each other;
//  4. then a fixed pseudo-random order (Config.Seed).
//
// So successive check-ins of a network walk the whole list before any URL
// comes again, and a country's probes together cover it in
// ceil(URLs/Max) check-ins. Categories and OptOut filter first; at most
// Max targets are returned. Pick returns nil when ctx is done.
func (s *Store) Pick(ctx context.Context, req Request) []Target {
	if ctx.Err() != nil {
		return nil
	}
	sn := s.snap.Load()
	cc := countryCode(req.CC)
	m := sn.forCountry(cc)
	now := req.Now
	if now.IsZero() {
		now = s.cfg.Now()
	}
	n := req.Max
	if n <= 0 {
		n = s.cfg.DefaultTargets
	}
	n = min(n, s.cfg.MaxTargets)
	only := categorySet(sn.set.Legend, req.Categories)
	optOut := categorySet(sn.set.Legend, req.OptOut)
	nowM := minute(now)
	horizon := minute(now.Add(-s.cfg.ChangedFor))

	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.rot.country(cc, m)
	cs.expire(horizon)
	ns := s.rot.network(networkID{cc, strings.ToUpper(strings.TrimSpace(req.ASN))}, m)
	cands := make([]candidate, 0, len(m.items))
	for i, it := range m.items {
		cat := it.target.CategoryCode
		if len(only) > 0 && !only[cat] || optOut[cat] {
			continue
		}
		c := candidate{idx: int32(i), network: ns.last[i], country: cs.last[i], tie: it.tie}
		if at, ok := cs.changed[it.target.URL]; ok && ns.last[i] < at {
			c.changed = at
		}
		cands = append(cands, c)
	}
	slices.SortFunc(cands, compareCandidates)
	cands = cands[:min(n, len(cands))]
	out := make([]Target, len(cands))
	for i, c := range cands {
		ns.last[c.idx], cs.last[c.idx] = nowM, nowM
		out[i] = m.items[c.idx].target
	}
	return out
}

func compareCandidates(a, b candidate) int {
	switch {
	case a.changed != b.changed:
		return cmpDesc(a.changed, b.changed)
	case a.network != b.network:
		return cmpAsc(a.network, b.network)
	case a.country != b.country:
		return cmpAsc(a.country, b.country)
	}
	return cmpAsc(a.tie, b.tie)
}

func cmpAsc[T uint32 | uint64](a, b T) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func cmpDesc[T uint32 | uint64](a, b T) int { return -cmpAsc(a, b) }

// VerdictChanged tells the Store that the analysis' verdict for url in
// country cc changed at the given time (blocked → ok or the other way):
// each network of the country gets the URL first at its next check-in,
// for Config.ChangedFor. url is matched as listed, else by its normalised
// form. It reports whether the URL is on the lists that country is served;
// other URLs are ignored.
func (s *Store) VerdictChanged(cc, url string, at time.Time) bool {
	cc = countryCode(cc)
	m := s.snap.Load().forCountry(cc)
	i, ok := m.index(url)
	if !ok {
		return false
	}
	listed := m.items[i].target.URL
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.rot.country(cc, m)
	if am := minute(at); am > cs.changed[listed] {
		cs.changed[listed] = am
	}
	return true
}

// Measured tells the Store that a probe of network (cc, asn) measured url
// at the given time, so that it counts as fresh in the rotation. The
// collector may call it for accepted measurements, and after a restart to
// seed the rotation from recent measurements. It reports whether the URL
// is on that country's lists.
func (s *Store) Measured(cc, asn, url string, at time.Time) bool {
	cc = countryCode(cc)
	m := s.snap.Load().forCountry(cc)
	i, ok := m.index(url)
	if !ok {
		return false
	}
	am := minute(at)
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.rot.country(cc, m)
	ns := s.rot.network(networkID{cc, strings.ToUpper(strings.TrimSpace(asn))}, m)
	cs.last[i], ns.last[i] = max(cs.last[i], am), max(ns.last[i], am)
	return true
}

// countryCode returns an upper-case two-letter code, or "ZZ" (unknown).
func countryCode(cc string) string {
	cc = strings.ToUpper(strings.TrimSpace(cc))
	if len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
		return "ZZ"
	}
	return cc
}

// categorySet canonicalises category codes into a set; nil when empty.
func categorySet(lg *Legend, codes []string) map[string]bool {
	if len(codes) == 0 {
		return nil
	}
	set := make(map[string]bool, len(codes))
	for _, c := range codes {
		set[lg.CanonicalCategory(c)] = true
	}
	return set
}
