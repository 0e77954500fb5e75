package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// Rejection is why a measurement was refused: a reason written for the
// probe's operator. It maps to 4xx.
type Rejection struct {
	Status     int // HTTP status
	Reason     string
	retryAfter time.Duration
}

func (r *Rejection) Error() string { return r.Reason }

func reject(status int, format string, args ...any) *Rejection {
	return &Rejection{Status: status, Reason: fmt.Sprintf(format, args...)}
}

// validator checks a measurement's shape before anything is stored.
type validator struct {
	maxBytes  int64
	known     map[string]bool
	maxAge    time.Duration
	maxFuture time.Duration
	now       func() time.Time
}

var (
	ccPattern       = regexp.MustCompile(`^[A-Z]{2}$`)
	asnPattern      = regexp.MustCompile(`^AS[0-9]{1,10}$`)
	reportIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,200}$`)
	// earliest is before the first OONI measurement: older is absurd.
	earliest = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxDepth bounds JSON nesting; real measurements stay under 20.
const maxDepth = 64

// checkFields validates the envelope of a measurement parsed from its
// canonical form. A nil result means it may be stored.
func (v *validator) checkFields(m *measurement.Measurement) *Rejection {
	if !v.known[m.TestName] {
		return reject(400, "unknown test_name %q", truncate(m.TestName, 64))
	}
	if m.DataFormatVersion == "" {
		return reject(400, "missing data_format_version")
	}
	if !ccPattern.MatchString(m.ProbeCC) {
		return reject(400, "probe_cc %q is not two upper-case letters (ZZ when unknown)", truncate(m.ProbeCC, 16))
	}
	if !asnPattern.MatchString(m.ProbeASN) {
		return reject(400, "probe_asn %q is not like AS12345 (AS0 when unknown)", truncate(m.ProbeASN, 16))
	}
	if m.ReportID != "" && !reportIDPattern.MatchString(m.ReportID) {
		return reject(400, "report_id is not letters, digits, _ . - (at most 200)")
	}
	if m.SoftwareName == "" || m.SoftwareVersion == "" {
		return reject(400, "missing software_name or software_version")
	}
	if len(m.Input) > 8192 {
		return reject(400, "input is longer than 8 KiB")
	}
	if k := bytes.TrimSpace(m.TestKeys); len(k) == 0 || k[0] != '{' {
		return reject(400, "test_keys must be a JSON object")
	}
	return v.checkTimes(m)
}

// checkTimes refuses a measurement from a probe whose clock is far off:
// started further in the future than max_clock_skew, longer ago than
// max_age, or before OONI's first measurement.
func (v *validator) checkTimes(m *measurement.Measurement) *Rejection {
	start, _ := m.StartTime()
	now := v.now()
	if start.After(now.Add(v.maxFuture)) {
		return reject(400, "measurement_start_time %s is in the future (the collector's clock says %s); check the probe's clock", m.MeasurementStartTime, measurement.FormatTime(now))
	}
	if start.Before(now.Add(-v.maxAge)) || start.Before(earliest) {
		return reject(400, "measurement_start_time %s is older than this collector accepts (%s)", m.MeasurementStartTime, v.maxAge)
	}
	if m.TestStartTime != "" {
		ts, err := measurement.ParseTime(m.TestStartTime)
		if err != nil {
			return reject(400, "test_start_time: %v", err)
		}
		if ts.After(start.Add(time.Minute)) || ts.Before(start.Add(-7*24*time.Hour)) {
			return reject(400, "test_start_time %s does not fit measurement_start_time %s", m.TestStartTime, m.MeasurementStartTime)
		}
	}
	return nil
}

// envelopeFields are the JSON names of measurement.Measurement's fields.
var envelopeFields = func() []string {
	var names []string
	t := reflect.TypeFor[measurement.Measurement]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}()

// oddKey returns k (a raw top-level key) when it is not an envelope
// field's name but would be read as one (encoding/json matches names
// regardless of case, and after unescaping), or "". Two spellings of
// test_name could otherwise be read differently before and after the
// keys are sorted.
func oddKey(k []byte) string {
	name := k
	if bytes.IndexByte(k, '\\') >= 0 {
		var s string
		if json.Unmarshal(append(append([]byte{'"'}, k...), '"'), &s) != nil {
			return "" // canonjson refuses it
		}
		name = []byte(s)
	}
	for _, f := range envelopeFields {
		if bytes.EqualFold(name, []byte(f)) && (string(name) != f || len(name) != len(k)) {
			return string(k)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
