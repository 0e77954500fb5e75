package collector_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestReportIDsTraversalAndForgery sends uploads (raw request lines, no
// client-side cleaning) to report ids that climb out of /report, encode
// the climb, or were never issued by this collector — well formed,
// issued by another collector with another key, or an issued one with
// one character changed. Each gets a 4xx and nothing reaches the spool;
// an id issued by a collector sharing the report key is taken.
func TestReportIDsTraversalAndForgery(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "shared-report.key")
	f := start(t, false, func(c *collector.Config) {
		c.Auth.ReportKeyFile = keyFile
		c.RateLimit.PerIP = collector.Rate{Rate: -1}
	})
	other := start(t, false, nil) // its own key, in its own data_dir
	twin := start(t, false, func(c *collector.Config) { c.Auth.ReportKeyFile = keyFile })
	addr := f.serve(t)
	token := f.register(t)
	issued := f.openReport(t, token)
	foreign := other.openReport(t, other.register(t))
	last := "a"
	if strings.HasSuffix(issued, "a") {
		last = "b"
	}
	tampered := issued[:len(issued)-1] + last
	doc := realMeasurement(t, "http://traversal.example/", time.Now().Add(-time.Minute))
	envelope := `{"format":"json","content":` + string(mustJSON(doc)) + `}`
	for _, tc := range []struct{ name, target string }{
		{"dot-dot", "/report/../../etc/passwd"},
		{"dot-dot in the id", "/report/..%2F..%2Fetc%2Fpasswd"},
		{"encoded dots", "/report/%2e%2e/%2e%2e/etc"},
		{"double-encoded", "/report/%252e%252e%252fetc"},
		{"backslashes", `/report/..\..\etc`},
		{"NUL", "/report/abc%00def"},
		{"only dots", "/report/.."},
		{"close, climbing", "/report/../admin/status/close"},
		{"well formed, never issued", "/report/20250101T000000Z_webconnectivity_IT_30722_n1_abcdefghijklmnop"},
		{"issued by another collector", "/report/" + foreign},
		{"issued here, one letter changed", "/report/" + tampered},
		{"issued here, with a suffix", "/report/" + issued + "x"},
		{"very long", "/report/" + strings.Repeat("a", 5000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := "POST " + tc.target + " HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer " + token +
				"\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(envelope)) + "\r\n\r\n" + envelope
			codes := exchange(t, addr, raw)
			if len(codes) == 0 || codes[0] < 400 || codes[0] > 499 {
				t.Errorf("%s: responses %v, want a 4xx", tc.target, codes)
			}
		})
	}
	if n := f.spooled(t); n != 0 {
		t.Fatalf("%d bytes reached the spool", n)
	}
	// The report key file is the collector's secret: owner-only.
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("report key file: %v, mode %v", err, st.Mode())
	}
	// A collector with the same key takes a report the first opened
	// (collectors behind one load balancer).
	doc["report_id"] = issued
	code, body := twin.post(t, submitPath(issued), twin.register(t), probeapi.SubmitRequest{Format: "json", Content: mustJSON(doc)})
	if code != 200 {
		t.Fatalf("a collector with the same report key refused the report: %d %s", code, body)
	}
}
