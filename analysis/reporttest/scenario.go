// Package reporttest gives the report, aggregation and researcher-API
// tests one realistic data set: three weeks of measurements in Iran with
// blocking that starts, stops and differs by network, as OONI-format
// measurements built from real OONI measurements in testdata/ooni, with
// their verdicts, ready to load into ClickHouse through the warehouse's
// own rows and writers. It is for tests and benchmarks only.
package reporttest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sonde-project/sonde/internal/verdict"
)

// The scenario's period and the time its reports are stamped with.
var (
	Since = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	Until = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	Now   = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
)

// CC is the scenario's country.
const CC = "IR"

// Categories are the Citizen Lab categories of the scenario's domains.
var Categories = map[string]string{
	"twitter.com": "GRP", "www.bbc.com": "NEWS", "example.org": "MISC",
	"signal.org": "COMT", "facebook.com": "GRP",
}

// Rule says a domain is blocked in a network on days [From, To) of the
// period.
type Rule struct {
	ASN, Domain string
	From, To    int
	Method      string
	Confirmed   bool
}

// Rules are the scenario's blocking, which reports must find.
var Rules = []Rule{
	{"AS44244", "twitter.com", 2, 99, "dns", true},
	{"AS197207", "twitter.com", 2, 99, "dns", true},
	{"AS58224", "twitter.com", 3, 99, "dns", true},
	{"AS44244", "www.bbc.com", 0, 99, "tls", false},
	{"AS58224", "www.bbc.com", 0, 99, "tcp_ip", false},
	{"AS197207", "signal.org", 10, 99, "tls", false},
	{"AS12880", "facebook.com", 0, 14, "http-diff", true},
}

// The scenario's networks and domains.
var (
	Networks = []string{"AS12880", "AS197207", "AS44244", "AS58224"}
	Domains  = []string{"example.org", "facebook.com", "signal.org", "twitter.com", "www.bbc.com"}
)

// Outcome is one measurement's outcome in the scenario.
type Outcome struct {
	UID        string
	At         time.Time
	ASN        string
	Domain     string
	Method     string // "" unless anomaly or confirmed
	Confidence verdict.Confidence
}

// Outcomes draws 6 measurements a day per network and domain: blocked by
// the rules 92% of the time, otherwise ok with 4% spurious anomalies; 3%
// of all fail.
func Outcomes() []Outcome {
	r := rand.New(rand.NewPCG(2026, 11))
	var out []Outcome
	days := int(Until.Sub(Since).Hours() / 24)
	for d := range days {
		for _, asn := range Networks {
			for _, dom := range Domains {
				for i := range 6 {
					m := Outcome{
						UID: fmt.Sprintf("20261101%02d%s%s%d", d, asn, dom[:3], i),
						At: Since.AddDate(0, 0, d).Add(time.Duration(i*4)*time.Hour +
							time.Duration(r.IntN(3600))*time.Second),
						ASN: asn, Domain: dom, Confidence: verdict.OK,
					}
					rule := ruleFor(asn, dom, d)
					switch x := r.Float64(); {
					case x < 0.03:
						m.Confidence = verdict.Failure
					case rule != nil && x < 0.95:
						m.Method, m.Confidence = rule.Method, verdict.Anomaly
						if rule.Confirmed {
							m.Confidence = verdict.Confirmed
						}
					case rule == nil && x < 0.07:
						m.Method, m.Confidence = "http-failure", verdict.Anomaly
					}
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func ruleFor(asn, domain string, day int) *Rule {
	for i, r := range Rules {
		if r.ASN == asn && r.Domain == domain && day >= r.From && day < r.To {
			return &Rules[i]
		}
	}
	return nil
}

// Explanation is the verdict's sentence for a confirmed outcome.
func Explanation(o Outcome) (fingerprint, explanation string) {
	if o.Confidence != verdict.Confirmed {
		return "", ""
	}
	if o.Method == "http-diff" {
		return "ooni.ir_peyvandha", "The page was Iran's blockpage (peyvandha.ir)."
	}
	return "ooni.ir_10dot10", "The DNS answer was 10.10.34.36, Iran's known blockpage address."
}
