package webconnectivity

import (
	"context"
	"net"
	"strconv"
	"sync"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/netx"
)

// connectFanOut bounds the endpoints connected to at once.
const connectFanOut = 4

// Tags of the steps, so a reader can tell them apart.
const (
	tagEndpoint = "endpoint" // the TCP connect (and TLS handshake) to each address
	tagFetch    = "fetch"    // the page fetch, its redirects included
	tagQUIC     = "quic"     // the QUIC handshakes and the HTTP/3 fetch
	tagResolver = "resolver" // netx's tag for a resolver's own connections
)

// connectAll connects to every address on port and, when tls, does a TLS
// handshake with sni. It returns the addresses where both worked, in
// order. Every step is recorded by n.
func connectAll(ctx context.Context, n *netx.Net, addrs []string, port string, tls bool, sni string) []string {
	ok := make([]bool, len(addrs))
	sem := make(chan struct{}, connectFanOut)
	var wg sync.WaitGroup
	ctx = netx.WithTags(ctx, tagEndpoint)
	for i, ip := range addrs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			conn, err := n.DialTCP(ctx, net.JoinHostPort(ip, port))
			if err != nil {
				return
			}
			defer conn.Close()
			if !tls {
				ok[i] = true
				return
			}
			tconn, err := n.TLSHandshake(ctx, conn, netx.TLSConfig{ServerName: sni})
			if err != nil {
				return
			}
			tconn.Close()
			ok[i] = true
		})
	}
	wg.Wait()
	var out []string
	for i, ip := range addrs {
		if ok[i] {
			out = append(out, ip)
		}
	}
	return out
}

// summarize builds x_endpoints from the test keys: one line per address
// the probe resolved (or the URL's address), on the URL's port.
func summarize(tk *measurement.WebTestKeys, host string, hostIsIP bool, port string) []Endpoint {
	type entry struct {
		ip        string
		resolvers []string
	}
	var ips []entry
	if hostIsIP {
		ips = append(ips, entry{ip: canonical(host)})
	}
	for _, r := range answersByResolver(host, tk.Queries) {
		for _, a := range r.addrs {
			a = canonical(a)
			i := 0
			for i < len(ips) && ips[i].ip != a {
				i++
			}
			if i == len(ips) {
				ips = append(ips, entry{ip: a})
			}
			ips[i].resolvers = append(ips[i].resolvers, r.name)
		}
	}
	out := make([]Endpoint, 0, len(ips))
	for _, e := range ips {
		address := net.JoinHostPort(e.ip, port)
		ep := Endpoint{
			Address: address, Resolvers: e.resolvers,
			TCP: tcpOutcome(tk.TCPConnect, e.ip, port), TLS: handshakeOutcome(tk.TLSHandshakes, e.ip, port),
			QUIC:       handshakeOutcome(tk.QUICHandshakes, e.ip, ""),
			ControlTCP: notAttempted, ControlTLS: notAttempted, ControlQUIC: notAttempted,
		}
		if ep.Resolvers == nil {
			ep.Resolvers = []string{}
		}
		if c := tk.Control; c != nil {
			ep.ASN, ep.Flags = c.IPInfo[e.ip].ASN, c.IPInfo[e.ip].Flags
			if r, ok := c.TCPConnect[address]; ok {
				ep.ControlTCP = controlOutcome(r.Status, r.Failure)
			}
			if r, ok := c.TLSHandshake[address]; ok {
				ep.ControlTLS = controlOutcome(r.Status, r.Failure)
			}
			ep.ControlQUIC = controlQUIC(c.QUICHandshake, e.ip)
		}
		out = append(out, ep)
	}
	return out
}

// tcpOutcome is "" when a connect to ip:port worked, the first failure
// when none did, notAttempted when there was none.
func tcpOutcome(list []measurement.TCPConnect, ip, port string) string {
	out := notAttempted
	for _, c := range list {
		if canonical(c.IP) != ip || strconv.Itoa(c.Port) != port || hasTag(c.Tags, tagResolver) {
			continue
		}
		if c.Status.Success {
			return ""
		}
		if out == notAttempted {
			out = failureOr(c.Status.Failure)
		}
	}
	return out
}

// handshakeOutcome is tcpOutcome for TLS or QUIC handshakes; port "" means
// any port (QUIC may be on another one).
func handshakeOutcome(list []measurement.TLSHandshake, ip, port string) string {
	out := notAttempted
	for _, h := range list {
		hip, hport, err := net.SplitHostPort(h.Address)
		if err != nil || canonical(hip) != ip || (port != "" && hport != port) || hasTag(h.Tags, tagResolver) {
			continue
		}
		if h.Failure == nil {
			return ""
		}
		if out == notAttempted {
			out = *h.Failure
		}
	}
	return out
}

func controlOutcome(status bool, f *string) string {
	if status {
		return ""
	}
	return failureOr(f)
}

// controlQUIC is the control's QUIC outcome for ip on any port.
func controlQUIC(m map[string]measurement.ControlTLSHandshake, ip string) string {
	out := notAttempted
	for address, r := range m {
		hip, _, err := net.SplitHostPort(address)
		if err != nil || canonical(hip) != ip {
			continue
		}
		if r.Status {
			return ""
		}
		out = failureOr(r.Failure)
	}
	return out
}

// failureOr is the failure, or "unknown_failure" for a step that failed
// without saying how.
func failureOr(f *string) string {
	if f == nil || *f == "" {
		return failure.UnknownPrefix
	}
	return *f
}

func hasTag(tags []string, tag string) bool { return contains(tags, tag) }
