package webconnectivity_test

import (
	"context"
	"net"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity"
	"github.com/sonde-project/sonde/probe/nettest/webconnectivity/wctest"
)

// BenchmarkMeasure is one whole web_connectivity measurement of an HTTPS
// site on loopback: DNS, TCP, TLS, the fetch, and the control helper's
// answer (itself DNS, TCP, TLS and a fetch).
func BenchmarkMeasure(b *testing.B) {
	w := wctest.NewWorld(b, "site.test. 60 IN A "+wctest.ProbeIP)
	site := w.HTTPSSite("sonde test site", "", "site.test")
	_, port, _ := net.SplitHostPort(site.Addr)
	env := w.Env(w.RealDNS.Addr)
	m := &webconnectivity.Measurer{DNSLateWindow: -1}
	b.ReportAllocs()
	for b.Loop() {
		res, err := m.Measure(context.Background(), env, "https://site.test:"+port+"/")
		if err != nil || res.Blocking != measurement.NotBlocked {
			b.Fatalf("%v %v", err, res.Blocking)
		}
	}
}
