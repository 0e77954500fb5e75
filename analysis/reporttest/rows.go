package reporttest

import (
	"cmp"
	"slices"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/internal/verdict"
)

// Rows turns the outcomes into what a report source returns: daily counts
// in first-seen order and every blocked measurement as evidence, confirmed
// first, then newest first, then by uid descending (the store's order).
func Rows(outcomes []Outcome) ([]aggregate.Count, []aggregate.Evidence) {
	type ck struct {
		day              time.Time
		asn, dom, method string
	}
	counts := map[ck]*aggregate.Count{}
	var order []ck
	var evidence []aggregate.Evidence
	for _, m := range outcomes {
		k := ck{m.At.Truncate(24 * time.Hour), m.ASN, m.Domain, m.Method}
		c := counts[k]
		if c == nil {
			c = &aggregate.Count{Day: k.day, CC: CC, ASN: m.ASN, Domain: m.Domain, TestName: "web_connectivity", Method: m.Method}
			counts[k] = c
			order = append(order, k)
		}
		switch m.Confidence {
		case verdict.OK:
			c.OK++
		case verdict.Anomaly:
			c.Anomaly++
		case verdict.Confirmed:
			c.Confirmed++
		default:
			c.Failure++
		}
		if m.Confidence == verdict.Anomaly || m.Confidence == verdict.Confirmed {
			e := aggregate.Evidence{MeasurementUID: m.UID, Time: m.At, CC: CC, ASN: m.ASN, Domain: m.Domain,
				Input: Input(m.Domain), TestName: "web_connectivity", Method: m.Method, Confidence: m.Confidence}
			e.Fingerprint, e.Explanation = Explanation(m)
			evidence = append(evidence, e)
		}
	}
	slices.SortStableFunc(evidence, func(a, b aggregate.Evidence) int {
		return cmp.Or(cmp.Compare(rank(b.Confidence), rank(a.Confidence)), b.Time.Compare(a.Time),
			cmp.Compare(b.MeasurementUID, a.MeasurementUID))
	})
	out := make([]aggregate.Count, len(order))
	for i, k := range order {
		out[i] = *counts[k]
	}
	return out, evidence
}

// Input is the URL measured for a domain.
func Input(domain string) string { return "https://" + domain + "/" }

func rank(c verdict.Confidence) int {
	if c == verdict.Confirmed {
		return 1
	}
	return 0
}

// OnlyDomain keeps the rows of one domain.
func OnlyDomain(counts []aggregate.Count, evidence []aggregate.Evidence, domain string) ([]aggregate.Count, []aggregate.Evidence) {
	var c []aggregate.Count
	var e []aggregate.Evidence
	for _, x := range counts {
		if x.Domain == domain {
			c = append(c, x)
		}
	}
	for _, x := range evidence {
		if x.Domain == domain {
			e = append(e, x)
		}
	}
	return c, e
}
