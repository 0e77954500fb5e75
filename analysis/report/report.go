package report

import (
	"time"

	"github.com/sonde-project/sonde/analysis/blockevent"
)

// Kinds of report.
const (
	KindCountry = "country"
	KindDomain  = "domain"
)

// Status words of a network-by-domain cell, the confidence words readers
// see.
const (
	StatusConfirmed   = "confirmed"          // a known blockpage or censor answer matched
	StatusLikely      = "likely"             // anomalies that censorship explains
	StatusNotBlocked  = "not blocked"        // measured and reachable
	StatusFailed      = "measurement failed" // only failed measurements
	StatusNotMeasured = "not measured"
)

// Report is everything a report page, its JSON and its CSV show. It
// encodes to the report's JSON file.
type Report struct {
	Kind string `json:"kind"` // KindCountry or KindDomain
	// Subject is the country code or the domain.
	Subject string `json:"subject"`
	// SubjectName is what readers call it: "Iran", "twitter.com".
	SubjectName string    `json:"subject_name"`
	Title       string    `json:"title"`
	Since       time.Time `json:"since"` // first day, inclusive
	Until       time.Time `json:"until"` // last day, exclusive
	Generated   time.Time `json:"generated"`

	Headline Headline `json:"headline"`
	// Groups are the findings: blocked sites by category for a country,
	// countries for a domain.
	Groups   []Group        `json:"groups"`
	Methods  []MethodCount  `json:"methods"`
	Timeline []TimelineDay  `json:"timeline"`
	Events   []Event        `json:"events"`
	Table    Table          `json:"table"`
	Evidence []EvidenceLink `json:"evidence"`
	Totals   OutcomeCounts  `json:"totals"`
	Method   string         `json:"method_note"`
}

// Headline answers "what is blocked, where, since when" in numbers and in
// one sentence.
type Headline struct {
	Sentence string `json:"sentence"`
	// BlockedSites counts domains blocked in at least one network.
	BlockedSites  int `json:"blocked_sites"`
	MeasuredSites int `json:"measured_sites"`
	// BlockingNetworks counts networks where at least one site was blocked.
	BlockingNetworks int `json:"blocking_networks"`
	MeasuredNetworks int `json:"measured_networks"`
	// BlockedCountries counts countries where the domain was blocked
	// (domain reports).
	BlockedCountries int `json:"blocked_countries,omitempty"`
	// FirstBlocked is the earliest day blocking was seen; zero when none.
	FirstBlocked time.Time `json:"first_blocked,omitzero"`
	Measurements int64     `json:"measurements"`
}

// Group is a titled list of findings.
type Group struct {
	Name     string    `json:"name"`
	Code     string    `json:"code,omitempty"`
	Findings []Finding `json:"findings"`
}

// Finding is one claim: this site was blocked in these networks of this
// country, how and with what confidence, and the measurements behind it.
type Finding struct {
	Domain      string `json:"domain"`
	CC          string `json:"probe_cc"`
	CountryName string `json:"country_name"`
	Category    string `json:"category,omitempty"`
	// Sentence says it all in plain words.
	Sentence string `json:"sentence"`
	// Confidence is StatusConfirmed or StatusLikely.
	Confidence string `json:"confidence"`
	// ConfidenceWords explains the confidence to a reader.
	ConfidenceWords string `json:"confidence_words"`
	// Methods are the blocking methods seen, most frequent first, and
	// MethodWords says them in plain words.
	Methods          []string  `json:"methods"`
	MethodWords      string    `json:"method_words"`
	Networks         []string  `json:"networks"` // ASNs where blocked
	NetworksMeasured int       `json:"networks_measured"`
	FirstBlocked     time.Time `json:"first_blocked"`
	LastBlocked      time.Time `json:"last_blocked"`
	Ongoing          bool      `json:"ongoing"`
	// Evidence are measurement ids behind the claim, confirmed first.
	Evidence []string `json:"evidence"`
}

// MethodCount is how many blocked (site, network) pairs used a method.
type MethodCount struct {
	Method string `json:"method"`
	Words  string `json:"words"`
	Pairs  int    `json:"pairs"`
}

// OutcomeCounts are measurement counts by outcome.
type OutcomeCounts struct {
	OK        int64 `json:"ok"`
	Anomaly   int64 `json:"anomaly"`
	Confirmed int64 `json:"confirmed"`
	Failure   int64 `json:"failure"`
}

// Total is the number of measurements counted.
func (o OutcomeCounts) Total() int64 { return o.OK + o.Anomaly + o.Confirmed + o.Failure }

// TimelineDay counts one day's measurements by outcome.
type TimelineDay struct {
	Day time.Time `json:"day"`
	OutcomeCounts
}

// Event is a period of blocking of a domain in a network.
type Event struct {
	CC     string `json:"probe_cc"`
	ASN    string `json:"probe_asn"`
	Domain string `json:"domain"`
	blockevent.Event
	Confidence string `json:"confidence"`
	Sentence   string `json:"sentence"`
}

// Table is the network-by-domain table: one row per network, one column
// per domain.
type Table struct {
	Columns []string   `json:"columns"` // domains
	Rows    []TableRow `json:"rows"`
}

// TableRow is one network's cells, in the order of Table.Columns.
type TableRow struct {
	CC    string `json:"probe_cc"`
	ASN   string `json:"probe_asn"`
	Cells []Cell `json:"cells"`
}

// Cell is what was seen of one domain in one network over the period.
type Cell struct {
	Status string `json:"status"`
	Method string `json:"method,omitempty"`
	OutcomeCounts
	// FirstBlocked and LastBlocked bound the blocking events; zero when
	// not blocked.
	FirstBlocked time.Time `json:"first_blocked,omitzero"`
	LastBlocked  time.Time `json:"last_blocked,omitzero"`
	Ongoing      bool      `json:"ongoing,omitempty"`
	Evidence     []string  `json:"evidence,omitempty"`
}

// EvidenceLink is one measurement cited by the report.
type EvidenceLink struct {
	MeasurementUID string    `json:"measurement_uid"`
	URL            string    `json:"url,omitempty"`
	Time           time.Time `json:"measurement_start_time"`
	CC             string    `json:"probe_cc"`
	ASN            string    `json:"probe_asn"`
	Domain         string    `json:"domain"`
	Input          string    `json:"input"`
	TestName       string    `json:"test_name"`
	Method         string    `json:"method"`
	Confidence     string    `json:"confidence"`
	Explanation    string    `json:"explanation,omitempty"`
}
