package webconnectivity

import (
	"github.com/sonde-project/sonde/internal/measurement"
)

// TestKeys are web_connectivity's test keys: OONI's (ts-017), with the
// network steps, plus one summary line per endpoint.
type TestKeys struct {
	measurement.WebTestKeys
	// Endpoints sums up, for every address the probe resolved, what the
	// probe and the control saw there ("x_endpoints": this project's
	// addition; OONI's readers ignore it).
	Endpoints []Endpoint `json:"x_endpoints"`
}

// Endpoint is what happened at one (address, port) of the target, from
// the probe and from the control. A failure is "" when the step worked
// and "-" when it was not attempted.
type Endpoint struct {
	// Address is "IP:port" as in tcp_connect and the control's keys.
	Address string `json:"address"`
	// Resolvers lists the resolvers that returned the IP ("system",
	// "udp://…").
	Resolvers []string `json:"resolvers"`
	// ASN is the IP's network according to the control, 0 if unknown.
	ASN int64 `json:"asn"`
	// Flags are the control's ip_info flags for the IP (1 resolved by the
	// probe, 2 by the control, 4 bogon, 8 valid for the domain).
	Flags int64 `json:"flags"`

	TCP         string `json:"tcp"`
	TLS         string `json:"tls"`
	QUIC        string `json:"quic"`
	ControlTCP  string `json:"control_tcp"`
	ControlTLS  string `json:"control_tls"`
	ControlQUIC string `json:"control_quic"`
}

// notAttempted marks a step that was not tried in an Endpoint.
const notAttempted = "-"

// Bits of x_blocking_flags: OONI's web_connectivity v0.5 bits, and one of
// this project's.
const (
	FlagDNS         = 1 << 0 // DNS answers differ from the control's
	FlagTCPIP       = 1 << 1 // TCP connections fail where the control's work
	FlagTLS         = 1 << 2 // TLS handshakes fail where the control's work
	FlagHTTPFailure = 1 << 3 // the HTTP exchange fails where the control's works
	FlagHTTPDiff    = 1 << 4 // the page differs from the control's
	FlagSuccess     = 1 << 5 // the page was fetched as the control fetched it
	FlagQUIC        = 1 << 6 // QUIC fails where the control's works (sonde)
)
