package netx

import (
	"net/http"
	"sort"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// recordTransaction records one request, newest first, and returns its
// failure string.
func (n *Net) recordTransaction(req *http.Request, resp *http.Response, body []byte, truncated bool, err error, t0 time.Time, hc *httpConn) string {
	f := failure.Classify(err)
	tx := measurement.HTTPTransaction{
		Network: hc.network, Address: hc.address, ALPN: hc.alpn, Failure: failure.Ptr(f),
		T0: n.Since(t0), T: n.Since(n.now()), Tags: tagsOf(req.Context()), TransactionID: hc.id,
		Request: measurement.HTTPRequest{
			Body: "", Method: req.Method, URL: req.URL.String(), Transport: hc.network,
		},
		Response: measurement.HTTPResponse{HeadersList: []measurement.HTTPHeader{}, Headers: map[string]measurement.MaybeBinary{}},
	}
	reqHeader := req.Header.Clone()
	reqHeader.Set("Host", req.Host)
	if req.Host == "" {
		reqHeader.Set("Host", req.URL.Host)
	}
	tx.Request.HeadersList, tx.Request.Headers = headers(reqHeader)
	if resp != nil {
		tx.Response.Code = int64(resp.StatusCode)
		tx.Response.HeadersList, tx.Response.Headers = headers(resp.Header)
		tx.Response.Body = measurement.MaybeBinary(body)
		tx.Response.BodyIsTruncated = truncated
	}
	n.record(func(s *measurement.Steps) {
		s.Requests = append([]measurement.HTTPTransaction{tx}, s.Requests...)
	})
	return f
}

// headers returns OONI's two views of headers: the list of pairs (sorted
// by name, values in order) and the map of first values.
func headers(h http.Header) ([]measurement.HTTPHeader, map[string]measurement.MaybeBinary) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	list := []measurement.HTTPHeader{}
	m := map[string]measurement.MaybeBinary{}
	for _, k := range names {
		for _, v := range h[k] {
			list = append(list, measurement.HTTPHeader{Key: k, Value: measurement.MaybeBinary(v)})
		}
		if len(h[k]) > 0 {
			m[k] = measurement.MaybeBinary(h[k][0])
		}
	}
	return list, m
}
