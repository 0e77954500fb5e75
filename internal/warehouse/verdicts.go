package warehouse

import (
	"encoding/json"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/verdict"
)

// VerdictRow is one row of the verdicts table.
type VerdictRow struct {
	MeasurementUID       string    `ch:"measurement_uid"`
	ReportID             string    `ch:"report_id"`
	TestName             string    `ch:"test_name"`
	ProbeCC              string    `ch:"probe_cc"`
	ProbeASN             uint32    `ch:"probe_asn"`
	Input                string    `ch:"input"`
	Domain               string    `ch:"domain"`
	MeasurementStartTime time.Time `ch:"measurement_start_time"`
	Status               string    `ch:"status"`
	// Blocking is "false", a method ("dns", "tcp_ip", …) or "null" when
	// undecidable.
	Blocking string `ch:"blocking"`
	// Accessible is 1, 0, or -1 when unknown (null).
	Accessible      int8      `ch:"accessible"`
	Confidence      string    `ch:"confidence"`
	Fingerprint     string    `ch:"fingerprint"`
	Explanation     string    `ch:"explanation"`
	Evidence        string    `ch:"evidence"`
	AnalysisVersion uint32    `ch:"analysis_version"`
	AnalyzedTime    time.Time `ch:"analyzed_time"`
}

// NewVerdictRow returns the verdicts row for v, the verdict on m. The
// identifying columns come from m, so that they match the measurement's
// rows whatever the analysis filled in.
func NewVerdictRow(m *measurement.Measurement, v verdict.Verdict, analyzed time.Time) VerdictRow {
	start, _ := m.StartTime()
	evidence, err := json.Marshal(v.Evidence)
	if err != nil || v.Evidence == nil {
		evidence = []byte("[]")
	}
	domain := v.Domain
	if domain == "" {
		domain = Domain(string(m.Input))
	}
	return VerdictRow{
		MeasurementUID:       m.MeasurementUID,
		ReportID:             m.ReportID,
		TestName:             m.TestName,
		ProbeCC:              m.ProbeCC,
		ProbeASN:             ASN(m.ProbeASN),
		Input:                string(m.Input),
		Domain:               domain,
		MeasurementStartTime: start.UTC(),
		Status:               string(v.Status),
		Blocking:             blockingString(v.Blocking),
		Accessible:           accessible(v.Accessible),
		Confidence:           string(v.Confidence),
		Fingerprint:          v.Fingerprint,
		Explanation:          v.Explanation,
		Evidence:             string(evidence),
		AnalysisVersion:      uint32(max(v.AnalysisVersion, 0)),
		AnalyzedTime:         analyzed.UTC().Truncate(time.Second),
	}
}

func blockingString(b measurement.Blocking) string {
	switch {
	case !b.Decided:
		return "null"
	case b.Method == "":
		return "false"
	}
	return b.Method
}

func accessible(a *bool) int8 {
	switch {
	case a == nil:
		return -1
	case *a:
		return 1
	}
	return 0
}
