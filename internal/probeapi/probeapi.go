// Package probeapi is the HTTP API between probes and the collector: the
// paths and the JSON bodies. The probe (client) and the collector (server)
// both use these types; neither imports the other.
//
// The upload paths are OONI's collector protocol (ooni/spec
// backends/bk-003-collector), so that OONI's probes can upload to a sonde
// collector and a sonde probe to an OONI-compatible collector. Check-in
// follows the shape of OONI's /api/v1/check-in, with sonde's additions
// marked as such.
package probeapi

import (
	"encoding/json"
)

// Paths. {report_id} is a report id returned by OpenReport.
const (
	PathRegister     = "/api/v1/register"
	PathCheckIn      = "/api/v1/check-in"
	PathOpenReport   = "/report"             // POST: open a report
	PathSubmit       = "/report/{report_id}" // POST: submit one measurement
	PathCloseReport  = "/report/{report_id}/close"
	PathBatchSubmit  = "/api/v1/measurements" // POST: sonde's batch submit
	PathHealth       = "/health"
	PathMetrics      = "/metrics"
	AuthHeader       = "Authorization" // "Bearer <token>"
	MaxMeasurementSz = 4 << 20         // the largest measurement a collector must accept
)

// RegisterRequest registers a probe. All fields are OPTIONAL and only
// describe the software; nothing identifies the volunteer.
type RegisterRequest struct {
	SoftwareName    string `json:"software_name"`
	SoftwareVersion string `json:"software_version"`
	Platform        string `json:"platform"`
}

// RegisterResponse carries the probe's token. The collector keeps only a
// hash of it; a lost token means registering again.
type RegisterResponse struct {
	ProbeID string `json:"probe_id"`
	Token   string `json:"token"`
}

// CheckInRequest asks what to measure.
type CheckInRequest struct {
	SoftwareName    string `json:"software_name"`
	SoftwareVersion string `json:"software_version"`
	Platform        string `json:"platform"`
	// ProbeCC and ProbeASN are what the probe believes; the collector's
	// geolocation of the connection wins when they disagree. OPTIONAL.
	ProbeCC  string `json:"probe_cc,omitempty"`
	ProbeASN string `json:"probe_asn,omitempty"`
	// RunType is "manual" or "timed".
	RunType string `json:"run_type,omitempty"`
	// WebConnectivity restricts the targets to these Citizen Lab category
	// codes; CategoriesOptOut removes categories the volunteer does not
	// want to test (sonde addition). OPTIONAL.
	WebConnectivity  *CheckInWebConnectivityRequest `json:"web_connectivity,omitempty"`
	CategoriesOptOut []string                       `json:"categories_opt_out,omitempty"`
	// MaxTargets bounds how many targets to hand out. OPTIONAL.
	MaxTargets int `json:"max_targets,omitempty"`
}

// CheckInWebConnectivityRequest is the web_connectivity part of a check-in.
type CheckInWebConnectivityRequest struct {
	CategoryCodes []string `json:"category_codes"`
}

// CheckInResponse says what to measure and with which helpers.
type CheckInResponse struct {
	V                int    `json:"v"`
	ProbeCC          string `json:"probe_cc"`
	ProbeASN         string `json:"probe_asn"`
	ProbeNetworkName string `json:"probe_network_name"`
	// ProbeIP is the address the collector saw the probe connect from
	// (sonde addition). The probe scrubs it from every measurement; the
	// collector never stores it.
	ProbeIP string                 `json:"probe_ip,omitempty"`
	Tests   map[string]CheckInTest `json:"tests"`
	Conf    CheckInConf            `json:"conf"`
	UTCTime string                 `json:"utc_time"`
}

// CheckInTest lists the targets for one test.
type CheckInTest struct {
	ReportID string          `json:"report_id,omitempty"`
	URLs     []CheckInTarget `json:"urls"`
}

// CheckInTarget is one target of a test list.
type CheckInTarget struct {
	URL          string `json:"url"`
	CategoryCode string `json:"category_code"`
	CountryCode  string `json:"country_code"`
}

// CheckInConf is the configuration handed to the probe.
type CheckInConf struct {
	Features    map[string]bool         `json:"features,omitempty"`
	TestHelpers map[string][]TestHelper `json:"test_helpers"`
	// Collector is where to upload, when not where the check-in went
	// (sonde addition). OPTIONAL.
	Collector string `json:"collector,omitempty"`
}

// TestHelper is one helper endpoint, as in OONI's check-in.
type TestHelper struct {
	Address string `json:"address"`
	Type    string `json:"type"` // "https"
}

// OpenReportRequest opens a report (bk-003).
type OpenReportRequest struct {
	DataFormatVersion string `json:"data_format_version"`
	Format            string `json:"format"` // "json"
	ProbeASN          string `json:"probe_asn"`
	ProbeCC           string `json:"probe_cc"`
	SoftwareName      string `json:"software_name"`
	SoftwareVersion   string `json:"software_version"`
	TestName          string `json:"test_name"`
	TestStartTime     string `json:"test_start_time"`
	TestVersion       string `json:"test_version"`
}

// OpenReportResponse returns the report id.
type OpenReportResponse struct {
	BackendVersion   string   `json:"backend_version"`
	ReportID         string   `json:"report_id"`
	SupportedFormats []string `json:"supported_formats"`
}

// SubmitRequest submits one measurement to a report (bk-003).
type SubmitRequest struct {
	Format  string          `json:"format"` // "json"
	Content json.RawMessage `json:"content"`
}

// SubmitResponse returns the measurement's uid. A re-upload of the same
// measurement gets the same uid and is stored once.
type SubmitResponse struct {
	MeasurementUID string `json:"measurement_uid"`
}

// BatchSubmitRequest submits many measurements at once (sonde's own path;
// the body may also be JSONL, one measurement per line, with
// Content-Type application/x-ndjson).
type BatchSubmitRequest struct {
	Measurements []json.RawMessage `json:"measurements"`
}

// BatchSubmitResponse has one result per submitted measurement, in order.
// The request as a whole succeeds when it was read; each measurement is
// stored, a duplicate, or rejected with a reason.
type BatchSubmitResponse struct {
	Results []BatchResult `json:"results"`
}

// BatchResult is the fate of one measurement of a batch.
type BatchResult struct {
	MeasurementUID string `json:"measurement_uid,omitempty"`
	Status         string `json:"status"` // "stored", "duplicate", "rejected"
	Error          string `json:"error,omitempty"`
}

// Statuses of BatchResult.
const (
	StatusStored    = "stored"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
)

// Error is the body of every 4xx and 5xx answer.
type Error struct {
	Error string `json:"error"`
}
