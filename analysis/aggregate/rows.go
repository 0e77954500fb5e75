package aggregate

import (
	"time"

	"github.com/sonde-project/sonde/internal/verdict"
)

// Count is one row of the daily rollup: how many measurements of a domain
// by a test in a network on a day had each outcome.
type Count struct {
	Day      time.Time `json:"day"` // midnight UTC
	CC       string    `json:"probe_cc"`
	ASN      string    `json:"probe_asn"`
	Domain   string    `json:"domain"`
	TestName string    `json:"test_name"`
	// Method is the blocking method of the anomaly and confirmed
	// measurements counted in this row ("dns", "tcp_ip", "tls",
	// "http-failure", "http-diff", "quic"), "" for rows of ok and failed
	// measurements.
	Method    string `json:"blocking_method"`
	OK        int64  `json:"ok_count"`
	Anomaly   int64  `json:"anomaly_count"`
	Confirmed int64  `json:"confirmed_count"`
	Failure   int64  `json:"failure_count"`
}

// Total is the number of measurements the row counts.
func (c Count) Total() int64 { return c.OK + c.Anomaly + c.Confirmed + c.Failure }

// Evidence is one measurement behind a claim of a report.
type Evidence struct {
	MeasurementUID string             `json:"measurement_uid"`
	Time           time.Time          `json:"measurement_start_time"`
	CC             string             `json:"probe_cc"`
	ASN            string             `json:"probe_asn"`
	Domain         string             `json:"domain"`
	Input          string             `json:"input"`
	TestName       string             `json:"test_name"`
	Method         string             `json:"blocking_method"`
	Confidence     verdict.Confidence `json:"confidence"`
	Fingerprint    string             `json:"fingerprint,omitempty"`
	Explanation    string             `json:"explanation,omitempty"`
}

// Filter selects measurements. Empty fields select everything; Since is
// inclusive and Until exclusive.
type Filter struct {
	CC string
	// AnyCC selects any of these countries (with CC, both apply).
	AnyCC    []string
	ASN      string
	Domain   string
	TestName string
	Since    time.Time
	Until    time.Time
}
