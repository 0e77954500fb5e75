package analysis

import (
	"fmt"
	"net"
	"slices"

	"github.com/sonde-project/sonde/internal/measurement"
)

// checkDNSConsistency decides whether the probe's addresses are the site's.
// Different addresses are normal for sites behind content delivery
// networks, so they count as the site's when any of these holds: they
// overlap with the control's; they are in the same network (ASN) as the
// control's; the control helper marked them valid for the domain; the
// probe completed a verified TLS handshake with them for the domain; or the
// probe itself judged them consistent (it had ASN data this analysis may
// lack). Otherwise the addresses are suspect; the verdict then depends on
// what the probe got from them (see blameDNS and compareHTTP).
func (w *web) checkDNSConsistency() {
	p, ctl := w.probeAddrs, w.ctrlAddrs
	switch {
	case len(p) == 0 || isIP(w.host):
		return
	case intersects(p, ctl):
		w.dnsWhy = "same addresses as the control"
		return
	case len(ctl) == 0:
		w.dnsWhy = "the control got no address to compare with"
		return
	}
	if asn, ok := w.sharedASN(); ok {
		w.dnsWhy = fmt.Sprintf("different addresses from the control's, in the same network (AS%d): a content delivery network", asn)
		return
	}
	for _, a := range p {
		if info, ok := w.ctrl.IPInfo[a]; ok && info.Flags&measurement.IPFlagValidForDomain != 0 {
			w.dnsWhy = "the control checked that " + a + " serves the domain"
			return
		}
	}
	if a, ok := w.verifiedTLS(); ok {
		w.dnsWhy = "different addresses from the control's, but " + a + " proved it serves the domain with a valid certificate"
		return
	}
	if ds := w.tk.DNSConsistency; ds != nil && (*ds == measurement.DNSConsistent || *ds == measurement.DNSReverseMatch) {
		w.dnsWhy = "different addresses from the control's, which the probe found consistent (same network)"
		return
	}
	w.dnsSuspect = true
	w.dnsWhy = "the probe's addresses differ from the control's and are in other networks"
}

// sharedASN looks for a network (ASN) that both the probe's and the
// control's addresses belong to, from the ASNs the probe recorded in its
// answers and those the control reported.
func (w *web) sharedASN() (int64, bool) {
	probe := answerASNs(w.tk.Queries, w.host)
	for _, a := range w.probeAddrs {
		if info, ok := w.ctrl.IPInfo[a]; ok && info.ASN > 0 {
			probe[info.ASN] = true
		}
	}
	var shared []int64
	for _, a := range w.ctrlAddrs {
		if info, ok := w.ctrl.IPInfo[a]; ok && probe[info.ASN] && info.ASN > 0 {
			shared = append(shared, info.ASN)
		}
	}
	if len(shared) == 0 {
		return 0, false
	}
	return slices.Min(shared), true
}

// verifiedTLS finds a TLS handshake to one of the probe's addresses, for
// the domain, that succeeded with certificate verification.
func (w *web) verifiedTLS() (string, bool) {
	for _, h := range w.tk.TLSHandshakes {
		if h.Failure != nil || h.NoTLSVerify || !sameHost(h.ServerName, w.host) {
			continue
		}
		host, _, err := net.SplitHostPort(h.Address)
		if err != nil {
			host = h.Address
		}
		if slices.Contains(w.probeAddrs, host) {
			return host, true
		}
	}
	return "", false
}
