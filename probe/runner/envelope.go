package runner

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/version"
	"github.com/sonde-project/sonde/probe/nettest"
)

// Unknown location values, as OONI writes them.
const (
	UnknownCC  = "ZZ"
	UnknownASN = "AS0"
)

// Envelope is what every measurement of a run shares. The zero value
// works: an unknown country and network, local report ids.
type Envelope struct {
	// ProbeCC is the two-letter country code. OPTIONAL: "ZZ".
	ProbeCC string
	// ProbeASN is "AS12345". OPTIONAL: "AS0".
	ProbeASN string
	// ProbeNetworkName is the network's name ("Telecom Italia"). OPTIONAL.
	ProbeNetworkName string
	// ResolverIP and ResolverASN describe the system resolver. OPTIONAL.
	ResolverIP, ResolverASN, ResolverNetworkName string
	// ReportIDs maps a test name to the report id the collector opened for
	// it. OPTIONAL: tests without one get a local id (NewReportID).
	ReportIDs map[string]string
	// Annotations are added to the default ones (DefaultAnnotations).
	// OPTIONAL.
	Annotations map[string]string
}

func (e *Envelope) cc() string {
	if e.ProbeCC == "" {
		return UnknownCC
	}
	return e.ProbeCC
}

func (e *Envelope) asn() string {
	if e.ProbeASN == "" {
		return UnknownASN
	}
	return e.ProbeASN
}

// NewReportID returns an OONI-style report id for a run that has no
// collector report: "20240102T030405Z_webconnectivity_IT_30722_n1_" and 16
// random letters and digits.
func NewReportID(start time.Time, testName, cc, asn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	if cc == "" {
		cc = UnknownCC
	}
	asn = strings.TrimPrefix(cmp.Or(asn, UnknownASN), "AS")
	return fmt.Sprintf("%s_%s_%s_%s_n1_%s", start.UTC().Format("20060102T150405Z"),
		strings.ReplaceAll(testName, "_", ""), cc, asn, b[:])
}

// DefaultAnnotations describe the software and the platform, as OONI's
// probes do.
func DefaultAnnotations() map[string]string {
	platform := runtime.GOOS
	if platform == "darwin" {
		platform = "macos"
	}
	return map[string]string{
		"architecture":   runtime.GOARCH,
		"platform":       platform,
		"engine_name":    version.Name,
		"engine_version": version.String(),
		"go_version":     runtime.Version(),
	}
}

// errKeysNotObject is returned when a test's keys do not encode to a JSON
// object: a bug in the test.
var errKeysNotObject = errors.New("test keys are not a JSON object")

// stamp is one measurement's place in the run.
type stamp struct {
	reportID  string
	testStart time.Time
	begin     time.Time
	runtime   time.Duration
}

// build turns a test's result into a measurement. It does not scrub.
func (e *Envelope) build(m nettest.Measurer, input string, st stamp, annotations map[string]string, res *nettest.Result) (*measurement.Measurement, error) {
	keys, err := json.Marshal(res.TestKeys)
	if err != nil {
		return nil, fmt.Errorf("encoding the test keys: %w", err)
	}
	if !bytes.HasPrefix(keys, []byte("{")) {
		return nil, errKeysNotObject
	}
	return &measurement.Measurement{
		Annotations:          annotations,
		DataFormatVersion:    measurement.DataFormatVersion,
		Input:                measurement.Input(input),
		MeasurementStartTime: measurement.FormatTime(st.begin),
		ProbeASN:             e.asn(),
		ProbeCC:              e.cc(),
		ProbeIP:              measurement.ScrubbedIP,
		ProbeNetworkName:     e.ProbeNetworkName,
		ReportID:             st.reportID,
		ResolverASN:          cmp.Or(e.ResolverASN, UnknownASN),
		ResolverIP:           e.ResolverIP,
		ResolverNetworkName:  e.ResolverNetworkName,
		SoftwareName:         version.Name,
		SoftwareVersion:      version.String(),
		TestHelpers:          res.TestHelpers,
		TestKeys:             keys,
		TestName:             m.Name(),
		TestRuntime:          st.runtime.Seconds(),
		TestStartTime:        measurement.FormatTime(st.testStart),
		TestVersion:          m.Version(),
	}, nil
}

// annotations merges the defaults with the envelope's own.
func (e *Envelope) annotations() map[string]string {
	a := DefaultAnnotations()
	maps.Copy(a, e.Annotations)
	return a
}

// ValidCC reports whether s is a two-letter country code in upper case
// ("ZZ" for unknown).
func ValidCC(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// ValidASN reports whether s is "AS" followed by 1 to 10 digits.
func ValidASN(s string) bool {
	n, ok := strings.CutPrefix(s, "AS")
	if !ok || n == "" || len(n) > 10 {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
