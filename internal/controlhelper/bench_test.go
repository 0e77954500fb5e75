package controlhelper

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/sonde-project/sonde/internal/measurement"
)

func BenchmarkParseRequest(b *testing.B) {
	data := []byte(ooniRequest)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRequest(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMeasure is one whole control request against an HTTPS site on
// loopback: DNS, TCP, TLS and the fetch.
func BenchmarkMeasure(b *testing.B) {
	l := newLab(b, dnsZone{"site.test": {"127.0.0.1"}}, nil)
	cert := l.ca.Issue("site.test")
	ln := listen(b, "127.0.0.1:0")
	serveHTTP(b, ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page) }), &cert)
	req := &measurement.ControlRequest{
		HTTPRequest: "https://site.test:" + port(ln) + "/",
		TCPConnect:  []string{"127.0.0.1:" + port(ln)},
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := l.h.Measure(context.Background(), req)
		if err != nil || resp.HTTPRequest.StatusCode != 200 {
			b.Fatalf("%v %+v", err, resp)
		}
	}
}
