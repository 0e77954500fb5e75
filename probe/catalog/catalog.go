// Package catalog is the list of the probe's network tests: one map,
// written out in this file, with no registration elsewhere.
package catalog

import (
	"sort"

	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
)

// Entry describes one test for the runner and for --help.
type Entry struct {
	// New returns a ready Measurer.
	New func() nettest.Measurer
	// Input says what the test measures, for --help ("a URL", "a domain").
	Input string
	// Summary is one line for --help, written for a volunteer.
	Summary string
}

// Tests maps each test_name to its entry.
var Tests = map[string]Entry{
	"web_connectivity": {
		New:     func() nettest.Measurer { return &webconnectivity.Measurer{} },
		Input:   "a URL (https://example.org/)",
		Summary: "Compares how a web page loads here with how it loads from an uncensored control, and says whether and how it is blocked (DNS, TCP/IP, TLS, HTTP, QUIC)",
	},
}

// Names returns the test names, sorted.
func Names() []string {
	names := make([]string, 0, len(Tests))
	for n := range Tests {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
