package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/sonde-project/sonde/internal/verdict"
)

// methodNote tells readers how the report decides, in plain words.
const methodNote = "Each measurement compares what a volunteer's network showed with what an " +
	"uncensored network showed. \"Confirmed\" means a known blockpage or a censor's DNS answer " +
	"was seen; \"likely\" means the answers differed in a way censorship explains, without such " +
	"proof. A site counts as blocked in a network when its daily share of such measurements " +
	"changed to a high level and stayed there (a change-point test over the daily series), not " +
	"because of one odd day. Failed measurements are shown but never counted as blocking."

// findings groups the blocked (site, country) pairs: by category for a
// country report, by country for a domain report.
func findings(req Request, cells []*cellState) []Group {
	type fkey struct{ cc, domain string }
	byKey := map[fkey][]*cellState{}
	var order []fkey
	for _, c := range cells {
		k := fkey{c.cc, c.domain}
		if byKey[k] == nil {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	groups := map[string]*Group{}
	for _, k := range order {
		f, ok := finding(req, byKey[k])
		if !ok {
			continue
		}
		name, code := "Countries where "+req.Domain+" was blocked", ""
		if req.Kind == KindCountry {
			code = f.Category
			name = CategoryName(code)
		}
		if groups[name] == nil {
			groups[name] = &Group{Name: name, Code: code}
		}
		groups[name].Findings = append(groups[name].Findings, f)
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		slices.SortFunc(g.Findings, func(a, b Finding) int {
			return cmp.Or(cmp.Compare(len(b.Networks), len(a.Networks)), cmp.Compare(a.Domain, b.Domain), cmp.Compare(a.CC, b.CC))
		})
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(len(b.Findings), len(a.Findings)), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// finding summarises one domain in one country, when it was blocked in at
// least one network.
func finding(req Request, cells []*cellState) (Finding, bool) {
	f := Finding{Domain: cells[0].domain, CC: cells[0].cc, CountryName: CountryName(cells[0].cc),
		Category: req.Categories[cells[0].domain], Confidence: StatusLikely}
	methods := map[string]int64{}
	var explanation string
	for _, c := range cells {
		if c.status != StatusFailed {
			f.NetworksMeasured++
		}
		if !c.blocked() {
			continue
		}
		f.Networks = append(f.Networks, c.asn)
		if c.status == StatusConfirmed {
			f.Confidence = StatusConfirmed
		}
		for m, n := range c.methods {
			methods[m] += n
		}
		first, last, ongoing := c.firstLast()
		if f.FirstBlocked.IsZero() || first.Before(f.FirstBlocked) {
			f.FirstBlocked = first
		}
		if last.After(f.LastBlocked) {
			f.LastBlocked = last
		}
		f.Ongoing = f.Ongoing || ongoing
		for _, e := range c.evidence {
			f.Evidence = append(f.Evidence, e.MeasurementUID)
			if e.Confidence == verdict.Confirmed && explanation == "" {
				explanation = e.Explanation
			}
		}
	}
	if len(f.Networks) == 0 {
		return Finding{}, false
	}
	// Methods seen in a few measurements only are noise next to the main
	// one (a failed request on a blocked site is not a second method).
	var top int64
	for _, n := range methods {
		top = max(top, n)
	}
	for m, n := range methods {
		if n*5 >= top {
			f.Methods = append(f.Methods, m)
		}
	}
	slices.SortFunc(f.Methods, func(a, b string) int { return cmp.Or(cmp.Compare(methods[b], methods[a]), cmp.Compare(a, b)) })
	words := make([]string, len(f.Methods))
	for i, m := range f.Methods {
		words[i] = MethodWords(m)
	}
	f.MethodWords = list(words)
	f.ConfidenceWords = ConfidenceWords(f.Confidence)
	if f.Confidence == StatusConfirmed && explanation != "" {
		f.ConfidenceWords = "confirmed: " + lowerFirst(strings.TrimSuffix(strings.TrimSpace(explanation), "."))
	}
	f.Sentence = fmt.Sprintf("%s was blocked in %d of %s measured in %s %s, by %s (%s).",
		f.Domain, len(f.Networks), plural(f.NetworksMeasured, "network", "networks"), f.CountryName,
		Period(f.FirstBlocked, f.LastBlocked), f.MethodWords, f.ConfidenceWords)
	if f.Ongoing {
		f.Sentence += " It was still blocked on the last day measured."
	}
	return f, true
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

func eventSentence(e Event) string {
	s := fmt.Sprintf("%s was blocked in %s (%s) from %s", e.Domain, e.ASN, CountryName(e.CC), Date(e.Start))
	if !e.OpenBefore.IsZero() {
		s += fmt.Sprintf(" (it loaded on %s)", Date(e.OpenBefore))
	}
	if e.Ongoing {
		return s + fmt.Sprintf(", and still on %s, the last day measured.", Date(e.LastBlocked))
	}
	return s + fmt.Sprintf(" to %s; it loaded again on %s.", Date(e.LastBlocked), Date(e.End))
}

func methodCounts(cells []*cellState) []MethodCount {
	n := map[string]int{}
	for _, c := range cells {
		if c.blocked() {
			n[c.method()]++
		}
	}
	out := make([]MethodCount, 0, len(n))
	for m, pairs := range n {
		out = append(out, MethodCount{Method: m, Words: MethodShort(m), Pairs: pairs})
	}
	slices.SortFunc(out, func(a, b MethodCount) int {
		return cmp.Or(cmp.Compare(b.Pairs, a.Pairs), cmp.Compare(a.Method, b.Method))
	})
	return out
}

// table lays out networks by domains: the blocked domains first (most
// networks first), then, when room remains, the others measured.
func table(req Request, cells []*cellState) Table {
	type netKey struct{ cc, asn string }
	blockedIn := map[string]int{}
	netBlocked := map[netKey]int{}
	byCell := map[key]*cellState{}
	var domains []string
	var nets []netKey
	for _, c := range cells {
		if _, seen := blockedIn[c.domain]; !seen {
			domains = append(domains, c.domain)
			blockedIn[c.domain] = 0
		}
		nk := netKey{c.cc, c.asn}
		if _, seen := netBlocked[nk]; !seen {
			nets = append(nets, nk)
			netBlocked[nk] = 0
		}
		if c.blocked() {
			blockedIn[c.domain]++
			netBlocked[nk]++
		}
		byCell[c.key] = c
	}
	slices.SortFunc(domains, func(a, b string) int { return cmp.Or(cmp.Compare(blockedIn[b], blockedIn[a]), cmp.Compare(a, b)) })
	slices.SortFunc(nets, func(a, b netKey) int {
		return cmp.Or(cmp.Compare(netBlocked[b], netBlocked[a]), cmp.Compare(a.cc, b.cc), cmp.Compare(a.asn, b.asn))
	})
	t := Table{Columns: domains}
	for _, nk := range nets {
		row := TableRow{CC: nk.cc, ASN: nk.asn}
		for _, d := range domains {
			if c := byCell[key{nk.cc, nk.asn, d}]; c != nil {
				row.Cells = append(row.Cells, c.cell())
			} else {
				row.Cells = append(row.Cells, Cell{Status: StatusNotMeasured})
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func headline(req Request, r *Report, cells []*cellState) Headline {
	h := Headline{Measurements: r.Totals.Total()}
	sites, blockedSites := map[string]bool{}, map[string]bool{}
	nets, blockingNets := map[string]bool{}, map[string]bool{}
	countries := map[string]bool{}
	for _, c := range cells {
		net := c.cc + " " + c.asn
		sites[c.domain], nets[net] = true, true
		if !c.blocked() {
			continue
		}
		blockedSites[c.domain], blockingNets[net], countries[c.cc] = true, true, true
		if first, _, _ := c.firstLast(); h.FirstBlocked.IsZero() || first.Before(h.FirstBlocked) {
			h.FirstBlocked = first
		}
	}
	h.MeasuredSites, h.BlockedSites = len(sites), len(blockedSites)
	h.MeasuredNetworks, h.BlockingNetworks = len(nets), len(blockingNets)
	period := Period(req.Since, req.Until.AddDate(0, 0, -1))
	where := r.SubjectName
	if req.Kind == KindDomain && req.CC != "" {
		where = req.Domain + " in " + CountryName(req.CC)
	}
	switch {
	case h.Measurements == 0:
		h.Sentence = fmt.Sprintf("No measurements of %s were collected %s.", where, period)
		return h
	case req.Kind == KindCountry && h.BlockedSites == 0:
		h.Sentence = fmt.Sprintf("In %s, none of the %s measured was found blocked %s (%s, %d measurements).",
			where, plural(h.MeasuredSites, "website", "websites"), period,
			plural(h.MeasuredNetworks, "network", "networks"), h.Measurements)
		return h
	case req.Kind == KindCountry:
		sites := fmt.Sprintf("%d of the %s measured were", h.BlockedSites, plural(h.MeasuredSites, "website", "websites"))
		switch {
		case h.MeasuredSites == 1:
			sites = "the one website measured was"
		case h.BlockedSites == h.MeasuredSites:
			sites = fmt.Sprintf("all %d websites measured were", h.MeasuredSites)
		case h.BlockedSites == 1:
			sites = fmt.Sprintf("1 of the %d websites measured was", h.MeasuredSites)
		}
		h.Sentence = fmt.Sprintf("In %s, %s blocked in %d of %s %s.",
			where, sites, h.BlockingNetworks, plural(h.MeasuredNetworks, "network", "networks"), period)
	case h.BlockedSites == 0:
		h.Sentence = fmt.Sprintf("%s was not found blocked in any of the %s measured %s (%d measurements).",
			where, plural(h.MeasuredNetworks, "network", "networks"), period, h.Measurements)
		return h
	default:
		names := make([]string, 0, len(countries))
		for cc := range countries {
			names = append(names, CountryName(cc))
		}
		slices.Sort(names)
		h.BlockedCountries = len(countries)
		h.Sentence = fmt.Sprintf("%s was blocked in %s (%s), in %d of the %s measured, %s.",
			req.Domain, plural(len(countries), "country", "countries"), list(names),
			h.BlockingNetworks, plural(h.MeasuredNetworks, "network", "networks"), period)
	}
	h.Sentence += fmt.Sprintf(" Blocking was first seen on %s.", Date(h.FirstBlocked))
	return h
}
