package measurement

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ParseEnvelope is Parse for a document already known to be valid JSON
// (the collector's spool, a document internal/canonjson wrote), with the
// same result, faster: the envelope's fields go through the fast decoder
// of fastjson.go and test_keys, most of a measurement, is only delimited
// (TestKeys aliases b) instead of being scanned twice by encoding/json.
// Where the fast decoder gives up (a key in another case, given twice or
// escaped, a field of the wrong type) Parse decides. For a document that
// is not valid JSON the result is unspecified: use Parse for untrusted
// input.
func ParseEnvelope(b []byte) (*Measurement, error) {
	var m Measurement
	if decodeObject(b, &m, envelopeNames) != nil || b[0] != '{' {
		return Parse(b)
	}
	if m.TestName == "" {
		return nil, errors.New("measurement: no test_name")
	}
	if _, err := m.StartTime(); err != nil {
		return nil, fmt.Errorf("measurement: measurement_start_time: %w", err)
	}
	return &m, nil
}

var envelopeNames = []string{"annotations", "data_format_version", "input", "measurement_start_time", "measurement_uid",
	"probe_asn", "probe_cc", "probe_ip", "probe_network_name", "report_id", "resolver_asn", "resolver_ip",
	"resolver_network_name", "software_name", "software_version", "test_helpers", "test_keys", "test_name",
	"test_runtime", "test_start_time", "test_version"}

func (m *Measurement) set(k, v []byte) (int, error) {
	switch string(k) {
	case "annotations":
		return 0, decodeStringMap(v, &m.Annotations)
	case "data_format_version":
		return 1, decodeString(v, &m.DataFormatVersion)
	case "input":
		return 2, m.Input.UnmarshalJSON(v)
	case "measurement_start_time":
		return 3, decodeString(v, &m.MeasurementStartTime)
	case "measurement_uid":
		return 4, decodeString(v, &m.MeasurementUID)
	case "probe_asn":
		return 5, decodeString(v, &m.ProbeASN)
	case "probe_cc":
		return 6, decodeString(v, &m.ProbeCC)
	case "probe_ip":
		return 7, decodeString(v, &m.ProbeIP)
	case "probe_network_name":
		return 8, decodeString(v, &m.ProbeNetworkName)
	case "report_id":
		return 9, decodeString(v, &m.ReportID)
	case "resolver_asn":
		return 10, decodeString(v, &m.ResolverASN)
	case "resolver_ip":
		return 11, decodeString(v, &m.ResolverIP)
	case "resolver_network_name":
		return 12, decodeString(v, &m.ResolverNetworkName)
	case "software_name":
		return 13, decodeString(v, &m.SoftwareName)
	case "software_version":
		return 14, decodeString(v, &m.SoftwareVersion)
	case "test_helpers":
		m.TestHelpers = nil
		return 15, json.Unmarshal(v, &m.TestHelpers)
	case "test_keys":
		m.TestKeys = v
		return 16, nil
	case "test_name":
		return 17, decodeString(v, &m.TestName)
	case "test_runtime":
		return 18, decodeFloat(v, &m.TestRuntime)
	case "test_start_time":
		return 19, decodeString(v, &m.TestStartTime)
	case "test_version":
		return 20, decodeString(v, &m.TestVersion)
	}
	return -1, nil
}
