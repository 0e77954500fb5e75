package warehouse

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
)

// MeasurementRow is one row of the measurements table.
type MeasurementRow struct {
	MeasurementUID       string    `ch:"measurement_uid"`
	ReportID             string    `ch:"report_id"`
	TestName             string    `ch:"test_name"`
	TestVersion          string    `ch:"test_version"`
	ProbeCC              string    `ch:"probe_cc"`
	ProbeASN             uint32    `ch:"probe_asn"`
	ProbeNetworkName     string    `ch:"probe_network_name"`
	ResolverASN          uint32    `ch:"resolver_asn"`
	Input                string    `ch:"input"`
	Domain               string    `ch:"domain"`
	MeasurementStartTime time.Time `ch:"measurement_start_time"`
	TestStartTime        time.Time `ch:"test_start_time"`
	TestRuntime          float64   `ch:"test_runtime"`
	SoftwareName         string    `ch:"software_name"`
	SoftwareVersion      string    `ch:"software_version"`
	Platform             string    `ch:"platform"`
	DataFormatVersion    string    `ch:"data_format_version"`
	ReceivedTime         time.Time `ch:"received_time"`
	Raw                  string    `ch:"raw"`
}

// NewMeasurementRow extracts the measurements row of m, whose JSON is raw
// (stored unchanged). received is when the collector accepted it.
func NewMeasurementRow(m *measurement.Measurement, raw string, received time.Time) MeasurementRow {
	start, _ := m.StartTime()
	testStart, err := measurement.ParseTime(m.TestStartTime)
	if err != nil {
		testStart = start
	}
	return MeasurementRow{
		MeasurementUID:       m.MeasurementUID,
		ReportID:             m.ReportID,
		TestName:             m.TestName,
		TestVersion:          m.TestVersion,
		ProbeCC:              m.ProbeCC,
		ProbeASN:             ASN(m.ProbeASN),
		ProbeNetworkName:     m.ProbeNetworkName,
		ResolverASN:          ASN(m.ResolverASN),
		Input:                string(m.Input),
		Domain:               Domain(string(m.Input)),
		MeasurementStartTime: start.UTC(),
		TestStartTime:        testStart.UTC(),
		TestRuntime:          m.TestRuntime,
		SoftwareName:         m.SoftwareName,
		SoftwareVersion:      m.SoftwareVersion,
		Platform:             m.Annotations["platform"],
		DataFormatVersion:    m.DataFormatVersion,
		ReceivedTime:         received.UTC().Truncate(time.Second),
		Raw:                  raw,
	}
}

// ASN parses "AS12345" (or "12345") into 12345; anything else is 0,
// OONI's "unknown network".
func ASN(s string) uint32 {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "AS"), "as")
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// Domain returns the host name an input is about, lower case: the host of
// a URL, the host of "host:port", or the input itself. It is "" for tests
// without input.
func Domain(input string) string {
	input = strings.TrimSpace(input)
	if input == "" {
		return ""
	}
	if strings.Contains(input, "://") {
		if u, err := url.Parse(input); err == nil && u.Host != "" {
			return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
		}
	}
	if host, _, err := net.SplitHostPort(input); err == nil {
		input = host
	}
	if i := strings.IndexAny(input, "/ "); i >= 0 {
		input = input[:i]
	}
	return strings.ToLower(strings.TrimSuffix(input, "."))
}

// splitAddress splits "ip:port" (or "[v6]:port"); a bare address has port
// 0.
func splitAddress(addr string) (string, uint16) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return strings.Trim(addr, "[]"), 0
	}
	p, _ := strconv.ParseUint(port, 10, 16)
	return host, uint16(p)
}

func failureString(f *string) string {
	if f == nil {
		return ""
	}
	return *f
}

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
