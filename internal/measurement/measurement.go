package measurement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// DataFormatVersion is the version of df-000-base this package writes.
const DataFormatVersion = "0.2.0"

// TimeFormat is the layout of measurement_start_time and test_start_time,
// always in UTC.
const TimeFormat = "2006-01-02 15:04:05"

// ScrubbedIP is what probe_ip holds in every published measurement.
const ScrubbedIP = "127.0.0.1"

// Measurement is one OONI measurement: the envelope of df-000-base with the
// test's keys as raw JSON.
type Measurement struct {
	Annotations          map[string]string `json:"annotations"`
	DataFormatVersion    string            `json:"data_format_version"`
	Input                Input             `json:"input"`
	MeasurementStartTime string            `json:"measurement_start_time"`
	// MeasurementUID is assigned by the collector; probes leave it empty.
	MeasurementUID      string          `json:"measurement_uid,omitempty"`
	ProbeASN            string          `json:"probe_asn"`
	ProbeCC             string          `json:"probe_cc"`
	ProbeIP             string          `json:"probe_ip"`
	ProbeNetworkName    string          `json:"probe_network_name"`
	ReportID            string          `json:"report_id"`
	ResolverASN         string          `json:"resolver_asn"`
	ResolverIP          string          `json:"resolver_ip"`
	ResolverNetworkName string          `json:"resolver_network_name"`
	SoftwareName        string          `json:"software_name"`
	SoftwareVersion     string          `json:"software_version"`
	TestHelpers         map[string]any  `json:"test_helpers"`
	TestKeys            json.RawMessage `json:"test_keys"`
	TestName            string          `json:"test_name"`
	TestRuntime         float64         `json:"test_runtime"`
	TestStartTime       string          `json:"test_start_time"`
	TestVersion         string          `json:"test_version"`

	// validKeys is TestKeys as ParseAliasing found it: valid JSON by
	// canonjson's rules (see TestKeysValid).
	validKeys []byte
}

// TestKeysValid reports whether TestKeys is valid JSON by
// canonjson.Valid. It costs nothing on a measurement from ParseAliasing,
// which checked the whole document, as long as TestKeys is still what it
// set; otherwise it checks.
func (m *Measurement) TestKeysValid() bool {
	if n := len(m.TestKeys); n > 0 && n == len(m.validKeys) && &m.TestKeys[0] == &m.validKeys[0] {
		return true
	}
	return canonjson.Valid(m.TestKeys)
}

// Input is the measured target. It encodes as null when empty, as OONI
// does for tests that take no input.
type Input string

// MarshalJSON implements json.Marshaler.
func (in Input) MarshalJSON() ([]byte, error) {
	if in == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(in))
}

// UnmarshalJSON implements json.Unmarshaler. It accepts a string, null,
// or (from legacy probes that measured several targets at once) a list of
// strings, which it joins with spaces.
func (in *Input) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*in = ""
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			return fmt.Errorf("input: %w", err)
		}
		*in = Input(strings.Join(list, " "))
		return nil
	}
	s, err := UnquoteJSON(b)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	*in = Input(s)
	return nil
}

// FormatTime formats t as OONI does: UTC, second precision.
func FormatTime(t time.Time) string {
	return t.UTC().Format(TimeFormat)
}

// ParseTime parses an OONI timestamp (UTC).
func ParseTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(TimeFormat, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, s)
	}
	return t, nil
}

// ErrBadTime is returned for a timestamp not in TimeFormat.
var ErrBadTime = errors.New("timestamp is not \"YYYY-MM-DD hh:mm:ss\"")

// StartTime returns the parsed measurement_start_time.
func (m *Measurement) StartTime() (time.Time, error) {
	return ParseTime(m.MeasurementStartTime)
}

// Parse decodes one measurement. It rejects JSON that is not an object with
// a test_name, and a measurement_start_time that does not parse.
func Parse(b []byte) (*Measurement, error) {
	var m Measurement
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("measurement: %w", err)
	}
	if m.TestName == "" {
		return nil, errors.New("measurement: no test_name")
	}
	if _, err := m.StartTime(); err != nil {
		return nil, fmt.Errorf("measurement: measurement_start_time: %w", err)
	}
	return &m, nil
}

// T converts the time elapsed since the measurement began into OONI's
// float seconds.
func T(begin, at time.Time) float64 {
	return at.Sub(begin).Seconds()
}
