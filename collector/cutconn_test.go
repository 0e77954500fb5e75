package collector_test

import (
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
)

// TestConnectionLostMidUpload: a probe whose connection drops while it
// sends a batch has nothing stored; one whose connection drops after it
// sent the whole batch, before it read the answer, sends the batch again
// (its queue retries) and gets "duplicate" for each measurement when the
// lost request was stored, "stored" when it was not; ClickHouse holds
// each once.
func TestConnectionLostMidUpload(t *testing.T) {
	f := start(t, true, nil)
	addr := f.serve(t)
	token := f.register(t)
	var ms []json.RawMessage
	for i := range 5 {
		ms = append(ms, mustJSON(realMeasurement(t, fmt.Sprintf("http://cut%d.example/", i), time.Now().Add(-time.Minute))))
	}
	body := mustJSON(probeapi.BatchSubmitRequest{Measurements: ms})
	request := func(n int) string {
		return "POST " + probeapi.PathBatchSubmit + " HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n" + string(body[:n])
	}
	send := func(raw string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(raw))
		c.Close() // gone, without reading anything
	}

	send(request(len(body) / 2))
	time.Sleep(300 * time.Millisecond)
	if n := f.spooled(t); n != 0 {
		t.Fatalf("half a batch stored %d bytes", n)
	}

	send(request(len(body)))
	// The server may see the connection gone before it stores the batch
	// (the request's context ends: nothing stored, nothing answered) or
	// after (stored; the answer is lost). Both are safe; which one
	// happened decides what the retry must be told.
	processed := false
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && !processed; time.Sleep(20 * time.Millisecond) {
		_, metrics, _ := f.do(t, call{method: "GET", path: probeapi.PathMetrics})
		processed = strings.Contains(string(metrics), `sonde_collector_measurements_total{result="stored"} 5`+"\n")
	}
	code, answer, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: body})
	var out probeapi.BatchSubmitResponse
	if code != 200 || json.Unmarshal(answer, &out) != nil || len(out.Results) != 5 {
		t.Fatalf("the retry: %d %s", code, answer)
	}
	want := probeapi.StatusStored
	if processed {
		want = probeapi.StatusDuplicate
	}
	for _, r := range out.Results {
		if r.Status != want {
			t.Errorf("the retry got %q, want %q (the lost request was stored: %v)", r.Status, want, processed)
		}
	}
	t.Logf("the lost request had been stored: %v", processed)
	waitCount(t, f.conn, "SELECT count() FROM measurements", 5)
	time.Sleep(500 * time.Millisecond)
	waitCount(t, f.conn, "SELECT count() FROM measurements", 5)
	waitCount(t, f.conn, "SELECT uniqExact(measurement_uid) FROM measurements", 5)
}
