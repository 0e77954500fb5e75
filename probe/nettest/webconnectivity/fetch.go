package webconnectivity

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/netx"
)

// fetch GETs the page over TCP from address (an IP) as a browser would,
// following redirects; netx records every step.
func fetch(ctx context.Context, n *netx.Net, u *url.URL, address string) {
	n.HTTPGet(netx.WithTags(ctx, tagFetch), u.String(), netx.HTTPOptions{Address: address}) //nolint:errcheck // recorded in the steps
}

// h3Endpoint returns the port of the HTTP/3 endpoint that the target
// advertises for its own host: in Alt-Svc of the probe's first response,
// else as the control found it. It returns "" when there is none, or
// when it is on another host (not measured).
func h3Endpoint(tk *measurement.WebTestKeys, u *url.URL) string {
	if u.Scheme != "https" {
		return ""
	}
	var first *measurement.HTTPTransaction
	for i := range tk.Requests { // newest first: the first response is the last
		if tk.Requests[i].Network != "udp" && tk.Requests[i].Response.Code > 0 {
			first = &tk.Requests[i]
		}
	}
	if first != nil {
		if alt := altSvcH3(string(first.Response.Headers["Alt-Svc"])); alt != "" {
			host, port, err := net.SplitHostPort(alt)
			if err == nil && (host == "" || strings.EqualFold(host, u.Hostname())) && validPort(port) {
				return port
			}
		}
	}
	if c := tk.Control; c != nil && c.HTTPRequest.DiscoveredH3Endpoint != "" {
		host, port, err := net.SplitHostPort(c.HTTPRequest.DiscoveredH3Endpoint)
		if err == nil && strings.EqualFold(host, u.Hostname()) && validPort(port) {
			return port
		}
	}
	return ""
}

// altSvcH3 returns the authority of the first h3 alternative of an
// Alt-Svc value (`h3=":443"; ma=86400` gives ":443").
func altSvcH3(value string) string {
	for _, entry := range strings.Split(value, ",") {
		alt, _, _ := strings.Cut(entry, ";")
		proto, authority, ok := strings.Cut(strings.TrimSpace(alt), "=")
		if ok && proto == "h3" {
			return strings.Trim(strings.TrimSpace(authority), `"`)
		}
	}
	return ""
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n > 0 && n < 65536
}

// measureH3 does a QUIC handshake with each address (at most
// maxQUICAddresses, at once) on port, then fetches the page over HTTP/3
// from the first that answered.
func measureH3(ctx context.Context, n *netx.Net, u *url.URL, addrs []string, port string) {
	ctx = netx.WithTags(ctx, tagQUIC)
	addrs = addrs[:min(len(addrs), maxQUICAddresses)]
	ok := make([]bool, len(addrs))
	var wg sync.WaitGroup
	for i, ip := range addrs {
		wg.Go(func() {
			conn, err := n.QUICHandshake(ctx, net.JoinHostPort(ip, port), netx.TLSConfig{ServerName: u.Hostname()})
			if err == nil {
				conn.CloseWithError(0, "")
				ok[i] = true
			}
		})
	}
	wg.Wait()
	for i, ip := range addrs {
		if ok[i] {
			h3 := *u
			h3.Host = net.JoinHostPort(u.Hostname(), port)
			if port == "443" { // the URL as the volunteer would type it
				h3.Host = strings.TrimSuffix(h3.Host, ":443")
			}
			n.HTTPGet(ctx, h3.String(), netx.HTTPOptions{HTTP3: true, Address: ip}) //nolint:errcheck // recorded in the steps
			return
		}
	}
}

// maxQUICAddresses bounds the QUIC handshakes.
const maxQUICAddresses = 4

// orderRequests puts the HTTP/3 transactions after the TCP ones, so that
// requests[0] is the final response of the fetch over TCP, what OONI's
// readers compare with the control.
func orderRequests(list []measurement.HTTPTransaction) []measurement.HTTPTransaction {
	out := make([]measurement.HTTPTransaction, 0, len(list))
	for _, r := range list {
		if r.Network != "udp" {
			out = append(out, r)
		}
	}
	for _, r := range list {
		if r.Network == "udp" {
			out = append(out, r)
		}
	}
	return out
}
