package controlhelper

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// connectFanOut bounds the endpoints of one request connected to at once.
const connectFanOut = 8

// fanOut calls f(i) for every i below n, connectFanOut at once, and waits
// for them all.
func fanOut(n int, f func(i int)) {
	sem := make(chan struct{}, connectFanOut)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// Measure measures what req asks from the helper's vantage point and
// returns the answer. It returns an error only for a request ParseRequest
// would reject; every network failure is part of the answer. ctx bounds
// the work together with Config.RequestTimeout.
func (h *Handler) Measure(ctx context.Context, req *measurement.ControlRequest) (*measurement.ControlResponse, error) {
	t, err := parseTarget(req.HTTPRequest)
	if err != nil {
		return nil, err
	}
	if err := checkEndpoints(req.TCPConnect); err != nil {
		return nil, err
	}
	if err := checkHeaders(req.HTTPRequestHeaders); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, h.cfg.RequestTimeout)
	defer cancel()

	resp := &measurement.ControlResponse{
		TCPConnect:    map[string]measurement.ControlTCPConnect{},
		TLSHandshake:  map[string]measurement.ControlTLSHandshake{},
		QUICHandshake: map[string]measurement.ControlTLSHandshake{},
		DNS:           measurement.ControlDNS{Addrs: []string{}},
	}
	var (
		resolved []netip.Addr
		dnsErr   error
	)
	if !t.IP.IsValid() {
		resolved, dnsErr = h.resolver.lookup(ctx, t.ASCII)
		resp.DNS.Failure = dnsFailure(failure.Classify(dnsErr))
		for _, a := range resolved {
			resp.DNS.Addrs = append(resp.DNS.Addrs, a.String())
		}
	}
	infos := h.newIPInfo(req.TCPConnect, resolved)
	resp.IPInfo = h.ipInfoMap(infos)
	endpoints := plan(t, infos, h.cfg.MaxEndpoints)
	n := newNames(h.resolver, t.ASCII, resolved, dnsErr)

	// TCP (and TLS) to every endpoint, and the page fetch, at once.
	results := make([]tcpResult, len(endpoints))
	var (
		wg sync.WaitGroup
		h3 string
	)
	wg.Go(func() { resp.HTTPRequest, h3 = h.fetch(ctx, t, req.HTTPRequestHeaders, n) })
	fanOut(len(endpoints), func(i int) { results[i] = h.tcpTLS(ctx, endpoints[i], t) })
	wg.Wait()
	resp.HTTPRequest.DiscoveredH3Endpoint = h3

	for i, ep := range endpoints {
		resp.TCPConnect[ep.String()] = results[i].tcp
		if tls := results[i].tls; tls != nil {
			resp.TLSHandshake[ep.String()] = *tls
			if tls.Status {
				h.markValid(resp.IPInfo, ep.addr.Addr())
			}
		}
	}
	if h3 != "" && req.XQUICEnabled && !h.cfg.DisableQUIC {
		h.measureQUIC(ctx, resp, t, h3, req.HTTPRequestHeaders, endpoints, n)
	}
	h.cfg.Logger.Debug("control request measured", "url", t.URL.Redacted(),
		"endpoints", len(endpoints), "dns_failure", failure.Of(resp.DNS.Failure),
		"http_failure", failure.Of(resp.HTTPRequest.Failure), "status", resp.HTTPRequest.StatusCode)
	return resp, nil
}

// markValid sets the "valid for domain" flag: a TLS handshake verified the
// domain's certificate on this address.
func (h *Handler) markValid(info map[string]measurement.ControlIPInfo, a netip.Addr) {
	key := a.String()
	if v, ok := info[key]; ok {
		v.Flags |= measurement.IPFlagValidForDomain
		info[key] = v
	}
}

// measureQUIC does a QUIC handshake with every TLS endpoint's address on
// the advertised HTTP/3 port, and the HTTP/3 fetch.
func (h *Handler) measureQUIC(ctx context.Context, resp *measurement.ControlResponse, t *target, h3 string,
	headers map[string][]string, endpoints []endpoint, n *names) {
	_, portText, _ := net.SplitHostPort(h3)
	port, _ := strconv.ParseUint(portText, 10, 16) // checked by discoverH3
	var quicEPs []netip.AddrPort
	seen := map[netip.AddrPort]bool{}
	for _, ep := range endpoints {
		qep := netip.AddrPortFrom(ep.addr.Addr(), uint16(port))
		if ep.tls && !seen[qep] {
			seen[qep] = true
			quicEPs = append(quicEPs, qep)
		}
	}
	results := make([]measurement.ControlTLSHandshake, len(quicEPs))
	var (
		wg  sync.WaitGroup
		h3r measurement.ControlHTTPRequest
	)
	wg.Go(func() { h3r = h.fetchH3(ctx, t, h3, headers, n) })
	fanOut(len(quicEPs), func(i int) { results[i] = h.quicHandshake(ctx, quicEPs[i], t) })
	wg.Wait()
	for i, ep := range quicEPs {
		resp.QUICHandshake[ep.String()] = results[i]
	}
	resp.HTTP3Request = &h3r
}
