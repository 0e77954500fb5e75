package collector_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// exchange writes raw bytes on a new connection and reads every response
// until the server closes it (or 3 s pass): the status codes, in order.
func exchange(t *testing.T, addr, raw string) []int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var codes []int
	br := bufio.NewReader(c)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return codes
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.Close {
			return codes
		}
	}
}

// TestRequestSmugglingIsRefused sends, on the OONI submit path,
// requests framed so that a proxy in front and the collector could read
// them differently. Each is refused before its body is read, its
// connection closed, and the request hidden behind it never runs;
// nothing reaches the spool. A request both framings agree on (one
// Content-Length given twice) is read once, with the request after it.
func TestRequestSmugglingIsRefused(t *testing.T) {
	f := start(t, false, func(c *collector.Config) { c.RateLimit.PerIP = collector.Rate{Rate: -1} })
	addr := f.serve(t)
	token := f.register(t)
	report := f.openReport(t, token)
	path := submitPath(report)
	head := func(extra string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\n" + extra + "\r\n"
	}
	// What hides behind the first request: an upload of a measurement.
	doc := realMeasurement(t, "http://smuggled.example/", time.Now().Add(-time.Minute))
	doc["report_id"] = report
	content := string(mustJSON(doc))
	envelope := `{"format":"json","content":` + content + `}`
	hidden := head(fmt.Sprintf("Content-Length: %d\r\n", len(envelope))) + envelope
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(envelope), envelope)
	for _, tc := range []struct {
		name string
		raw  string
		want []int // the responses on the connection
	}{
		{"Content-Length and Transfer-Encoding", head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n") + "0\r\n\r\n" + hidden, []int{411}},
		{"Transfer-Encoding and Content-Length", head("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n") + "0\r\n\r\n" + hidden, []int{411}},
		{"chunked alone", head("Transfer-Encoding: chunked\r\n") + chunked + hidden, []int{411}},
		{"two different Content-Lengths", head("Content-Length: 5\r\nContent-Length: 200\r\n") + "0\r\n\r\n" + hidden, []int{400}},
		{"Content-Length folded over two lines", head("Content-Length: 5\r\n 0\r\n") + "0\r\n\r\n" + hidden, []int{400}},
		{"Transfer-Encoding folded", head("Content-Length: 5\r\nTransfer-Encoding:\r\n chunked\r\n") + "0\r\n\r\n" + hidden, []int{411}},
		{"Transfer-Encoding with a second coding", head("Transfer-Encoding: chunked, identity\r\nContent-Length: 5\r\n") + "0\r\n\r\n" + hidden, []int{501}},
		{"Transfer-Encoding misspelled", head("Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n") + "0\r\n\r\n" + hidden, []int{501}},
		{"HTTP/1.0 with Transfer-Encoding", strings.Replace(head("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), "HTTP/1.1", "HTTP/1.0", 1) + "0\r\n\r\n" + hidden, []int{400}},
		{"space before the colon", head("Content-Length : 5\r\n") + "0\r\n\r\n" + hidden, []int{400}},
		{"NUL in a header", head("X-A: a\x00b\r\nContent-Length: 5\r\n") + "0\r\n\r\n" + hidden, []int{400}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exchange(t, addr, tc.raw); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("responses %v, want %v (and the connection closed)", got, tc.want)
			}
			if n := f.spooled(t); n != 0 {
				t.Fatalf("%d bytes reached the spool", n)
			}
		})
	}
	// One Content-Length given twice, the same: both framings agree
	// (RFC 9110 §8.6 lets a server take it). The body ("x...") is not a
	// measurement: 400; the request after it is read on its own and its
	// measurement stored, once.
	junk := `{"format":"json","content":"xxxx"}`
	twice := head(fmt.Sprintf("Content-Length: %d\r\nContent-Length: %d\r\n", len(junk), len(junk))) + junk + hidden
	if got := exchange(t, addr, twice); fmt.Sprint(got) != "[400 200]" {
		t.Errorf("a repeated equal Content-Length then an upload: responses %v, want [400 200]", got)
	}
	code, metrics, _ := f.do(t, call{method: "GET", path: probeapi.PathMetrics})
	if code != 200 || !strings.Contains(string(metrics), `sonde_collector_measurements_total{result="stored"} 1`+"\n") {
		t.Errorf("stored, by the metrics: %s", grepLine(string(metrics), `result="stored"`))
	}
}
