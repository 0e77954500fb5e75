package collector

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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

// check validates raw and returns it parsed. A nil error means the
// measurement may be stored.
func (v *validator) check(raw []byte) (*measurement.Measurement, *Rejection) {
	if int64(len(raw)) > v.maxBytes {
		return nil, reject(413, "measurement is %d bytes; the limit is %d", len(raw), v.maxBytes)
	}
	if err := checkJSONShape(raw); err != nil {
		return nil, reject(400, "measurement is not a JSON object: %v", err)
	}
	m, err := measurement.Parse(raw)
	if err != nil {
		return nil, reject(400, "%v", err)
	}
	if !v.known[m.TestName] {
		return nil, reject(400, "unknown test_name %q", truncate(m.TestName, 64))
	}
	if m.DataFormatVersion == "" {
		return nil, reject(400, "missing data_format_version")
	}
	if !ccPattern.MatchString(m.ProbeCC) {
		return nil, reject(400, "probe_cc %q is not two upper-case letters (ZZ when unknown)", truncate(m.ProbeCC, 16))
	}
	if !asnPattern.MatchString(m.ProbeASN) {
		return nil, reject(400, "probe_asn %q is not like AS12345 (AS0 when unknown)", truncate(m.ProbeASN, 16))
	}
	if m.ReportID != "" && !reportIDPattern.MatchString(m.ReportID) {
		return nil, reject(400, "report_id is not letters, digits, _ . - (at most 200)")
	}
	if m.SoftwareName == "" || m.SoftwareVersion == "" {
		return nil, reject(400, "missing software_name or software_version")
	}
	if len(m.Input) > 8192 {
		return nil, reject(400, "input is longer than 8 KiB")
	}
	if k := bytes.TrimSpace(m.TestKeys); len(k) == 0 || k[0] != '{' {
		return nil, reject(400, "test_keys must be a JSON object")
	}
	start, _ := m.StartTime()
	now := v.now()
	if start.After(now.Add(v.maxFuture)) {
		return nil, reject(400, "measurement_start_time %s is in the future (the collector's clock says %s); check the probe's clock", m.MeasurementStartTime, measurement.FormatTime(now))
	}
	if start.Before(now.Add(-v.maxAge)) || start.Before(earliest) {
		return nil, reject(400, "measurement_start_time %s is older than this collector accepts (%s)", m.MeasurementStartTime, v.maxAge)
	}
	if m.TestStartTime != "" {
		ts, err := measurement.ParseTime(m.TestStartTime)
		if err != nil {
			return nil, reject(400, "test_start_time: %v", err)
		}
		if ts.After(start.Add(time.Minute)) || ts.Before(start.Add(-7*24*time.Hour)) {
			return nil, reject(400, "test_start_time %s does not fit measurement_start_time %s", m.TestStartTime, m.MeasurementStartTime)
		}
	}
	return m, nil
}

// checkJSONShape accepts one JSON object, nested at most maxDepth deep,
// with nothing after it. It does not allocate the document.
func checkJSONShape(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("does not start with {")
	}
	depth, inString, escaped := 0, false, false
	for i, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("nested more than %d deep", maxDepth)
			}
		case '}', ']':
			depth--
			if depth == 0 && i != len(b)-1 {
				return errors.New("data after the object")
			}
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
