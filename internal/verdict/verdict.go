// Package verdict is the record the analysis produces for each
// measurement: blocked or not, how, with what confidence, and the evidence.
// The analysis (analysis/) computes it, the collector stores it in
// ClickHouse's verdicts table, and reports read it back; this package is
// the shape they share.
package verdict

import (
	"github.com/sonde-project/sonde/internal/measurement"
)

// Status is the overall outcome for the target.
type Status string

// Statuses.
const (
	StatusOK      Status = "ok"      // reachable, as from the control
	StatusBlocked Status = "blocked" // blocked; Method says how
	StatusDown    Status = "down"    // failed for the control too: the site is down, not blocked
	StatusUnknown Status = "unknown" // cannot tell (no control, test broke, unsupported test)
)

// Confidence says how sure the verdict is.
type Confidence string

// Confidences.
const (
	// Confirmed: a known blockpage or censor DNS answer matched a fingerprint.
	Confirmed Confidence = "confirmed"
	// Anomaly: the probe's view differs from the control's in a way
	// censorship explains, without a fingerprint to prove it.
	Anomaly Confidence = "anomaly"
	// OK: nothing suggests blocking.
	OK Confidence = "ok"
	// Failure: the test itself broke; nothing can be said.
	Failure Confidence = "failure"
)

// Verdict is the analysis of one measurement of one target. It encodes to
// the line `analysis verdict` writes.
type Verdict struct {
	MeasurementUID string `json:"measurement_uid,omitempty"`
	ReportID       string `json:"report_id"`
	Input          string `json:"input"`
	// Domain is the input's host name (or the input itself for tests that
	// take a domain), lower case, for grouping.
	Domain               string `json:"domain"`
	TestName             string `json:"test_name"`
	ProbeCC              string `json:"probe_cc"`
	ProbeASN             string `json:"probe_asn"`
	MeasurementStartTime string `json:"measurement_start_time"`

	// Blocking is false, a method ("dns", "tcp_ip", "tls", "http-failure",
	// "http-diff", "quic") or null when undecidable: OONI's convention.
	Blocking   measurement.Blocking `json:"blocking"`
	Accessible *bool                `json:"accessible"`
	Confidence Confidence           `json:"confidence"`
	Status     Status               `json:"status"`
	// Evidence lists what the verdict rests on, most important first.
	Evidence []Evidence `json:"evidence"`
	// Fingerprint names the blockpage or DNS fingerprint that matched, for
	// confirmed verdicts.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Explanation says in one plain sentence what happened, for reports.
	Explanation string `json:"explanation"`
	// AnalysisVersion changes when the rules change; stored verdicts of an
	// older version are recomputed by `analysis reprocess`.
	AnalysisVersion int `json:"analysis_version"`
}

// Evidence is one observation behind a verdict.
type Evidence struct {
	// Step is the network step: "dns", "tcp_connect", "tls_handshake",
	// "quic_handshake", "http_request", "control".
	Step string `json:"step"`
	// Target is what the step was about: a host name, "ip:port", a URL.
	Target string `json:"target,omitempty"`
	// Failure is the step's failure string, "" on success.
	Failure string `json:"failure,omitempty"`
	// Observed and Expected are what the probe saw and what the control
	// (or a fingerprint) says should be seen, when they differ.
	Observed string `json:"observed,omitempty"`
	Expected string `json:"expected,omitempty"`
	// Note is a short plain-language remark.
	Note string `json:"note,omitempty"`
}
