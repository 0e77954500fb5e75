package report

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sonde-project/sonde/analysis/aggregate"
	"github.com/sonde-project/sonde/internal/verdict"
)

// The scenario of the tests: three weeks of measurements in Iran, with
// blocking that starts, stops and differs by network.
var (
	scenarioSince = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	scenarioUntil = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	scenarioNow   = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

	scenarioCategories = map[string]string{
		"twitter.com": "GRP", "www.bbc.com": "NEWS", "example.org": "MISC",
		"signal.org": "COMT", "facebook.com": "GRP",
	}
)

// blockRule says a domain is blocked in a network on days [from, to).
type blockRule struct {
	asn, domain string
	from, to    int
	method      string
	confirmed   bool
}

var scenarioRules = []blockRule{
	{"AS44244", "twitter.com", 2, 99, "dns", true},
	{"AS197207", "twitter.com", 2, 99, "dns", true},
	{"AS58224", "twitter.com", 3, 99, "dns", true},
	{"AS44244", "www.bbc.com", 0, 99, "tls", false},
	{"AS58224", "www.bbc.com", 0, 99, "tcp_ip", false},
	{"AS197207", "signal.org", 10, 99, "tls", false},
	{"AS12880", "facebook.com", 0, 14, "http-diff", true},
}

var (
	scenarioNetworks = []string{"AS12880", "AS197207", "AS44244", "AS58224"}
	scenarioDomains  = []string{"example.org", "facebook.com", "signal.org", "twitter.com", "www.bbc.com"}
)

// scenarioMeasurement is one measurement's outcome in the scenario.
type scenarioMeasurement struct {
	uid        string
	at         time.Time
	asn        string
	domain     string
	method     string
	confidence verdict.Confidence
}

// scenario draws 6 measurements a day per network and domain: blocked by
// the rules, otherwise ok with 4% spurious anomalies and 3% failures.
func scenario() []scenarioMeasurement {
	r := rand.New(rand.NewPCG(2026, 11))
	var out []scenarioMeasurement
	days := int(scenarioUntil.Sub(scenarioSince).Hours() / 24)
	for d := range days {
		for _, asn := range scenarioNetworks {
			for _, dom := range scenarioDomains {
				for i := range 6 {
					m := scenarioMeasurement{
						uid:    fmt.Sprintf("20261101%02d%s%s%d", d, asn, dom[:3], i),
						at:     scenarioSince.AddDate(0, 0, d).Add(time.Duration(i*4)*time.Hour + time.Duration(r.IntN(3600))*time.Second),
						asn:    asn,
						domain: dom, confidence: verdict.OK,
					}
					rule := ruleFor(asn, dom, d)
					switch x := r.Float64(); {
					case x < 0.03:
						m.confidence = verdict.Failure
					case rule != nil && x < 0.95:
						m.method, m.confidence = rule.method, verdict.Anomaly
						if rule.confirmed {
							m.confidence = verdict.Confirmed
						}
					case rule == nil && x < 0.07:
						m.method, m.confidence = "http-failure", verdict.Anomaly
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func ruleFor(asn, domain string, day int) *blockRule {
	for i, r := range scenarioRules {
		if r.asn == asn && r.domain == domain && day >= r.from && day < r.to {
			return &scenarioRules[i]
		}
	}
	return nil
}

// scenarioRows turns the scenario into what a Source returns: daily counts
// and, per (network, domain), the first three blocked measurements with
// confirmed ones first.
func scenarioRows() ([]aggregate.Count, []aggregate.Evidence) {
	type ck struct {
		day              time.Time
		asn, dom, method string
	}
	counts := map[ck]*aggregate.Count{}
	var order []ck
	var evidence []aggregate.Evidence
	for _, m := range scenario() {
		k := ck{m.at.Truncate(24 * time.Hour), m.asn, m.domain, m.method}
		c := counts[k]
		if c == nil {
			c = &aggregate.Count{Day: k.day, CC: "IR", ASN: m.asn, Domain: m.domain, TestName: "web_connectivity", Method: m.method}
			counts[k] = c
			order = append(order, k)
		}
		switch m.confidence {
		case verdict.OK:
			c.OK++
		case verdict.Anomaly:
			c.Anomaly++
		case verdict.Confirmed:
			c.Confirmed++
		case verdict.Failure:
			c.Failure++
		}
		if m.confidence == verdict.Anomaly || m.confidence == verdict.Confirmed {
			e := aggregate.Evidence{MeasurementUID: m.uid, Time: m.at, CC: "IR", ASN: m.asn, Domain: m.domain,
				Input: "https://" + m.domain + "/", TestName: "web_connectivity", Method: m.method, Confidence: m.confidence}
			if m.confidence == verdict.Confirmed {
				e.Fingerprint = "ooni.ir_10dot10"
				e.Explanation = "The DNS answer was 10.10.34.36, Iran's known blockpage address."
				if m.method == "http-diff" {
					e.Fingerprint = "ooni.ir_peyvandha"
					e.Explanation = "The page was Iran's blockpage (peyvandha.ir)."
				}
			}
			evidence = append(evidence, e)
		}
	}
	slices.SortStableFunc(evidence, func(a, b aggregate.Evidence) int {
		return cmp.Or(cmp.Compare(rank(b.Confidence), rank(a.Confidence)), b.Time.Compare(a.Time))
	})
	out := make([]aggregate.Count, len(order))
	for i, k := range order {
		out[i] = *counts[k]
	}
	return out, evidence
}

func rank(c verdict.Confidence) int {
	if c == verdict.Confirmed {
		return 1
	}
	return 0
}

func onlyDomain(counts []aggregate.Count, evidence []aggregate.Evidence, domain string) ([]aggregate.Count, []aggregate.Evidence) {
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
