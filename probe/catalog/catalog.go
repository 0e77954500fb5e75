// Package catalog is the list of the probe's network tests: one map,
// written out in this file, with no registration elsewhere.
package catalog

import (
	"sort"

	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/nettest/dns"
	"github.com/sonde-project/sonde/probe/nettest/http"
	"github.com/sonde-project/sonde/probe/nettest/quic"
	"github.com/sonde-project/sonde/probe/nettest/tcpconnect"
	"github.com/sonde-project/sonde/probe/nettest/tls"
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
	"dns": {
		New:     func() nettest.Measurer { return dns.Measurer{} },
		Input:   "a domain (example.org) or a URL",
		Summary: "Looks up a site's address and watches for forged DNS answers (-O resolver=udp://IP:53, -O types=A,AAAA,HTTPS)",
	},
	"tcpconnect": {
		New:     func() nettest.Measurer { return tcpconnect.Measurer{} },
		Input:   "host:port (example.org:443) or a URL",
		Summary: "Checks whether a server accepts TCP connections on a port",
	},
	"tls": {
		New:     func() nettest.Measurer { return tls.Measurer{} },
		Input:   "a host (example.org), host:port or an https:// URL",
		Summary: "Checks whether a secure (TLS) connection to a site goes through (-O sni=NAME, -O control_sni=BENIGN-NAME)",
	},
	"http": {
		New:     func() nettest.Measurer { return http.Measurer{} },
		Input:   "a URL (https://example.org/)",
		Summary: "Loads a web page as a browser would and records what came back",
	},
	"quic": {
		New:     func() nettest.Measurer { return quic.Measurer{} },
		Input:   "an https:// URL or host[:port]",
		Summary: "Loads a web page over QUIC (HTTP/3), which some networks block while allowing ordinary HTTPS",
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
