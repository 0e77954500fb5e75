package collector_test

import (
	"bytes"
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
// (its queue retries) and gets "duplicate" for each measurement, which
// ClickHouse holds once.
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
	deadline := time.Now().Add(10 * time.Second)
	for f.spooled(t) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	code, answer, _ := f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: body})
	var out probeapi.BatchSubmitResponse
	if code != 200 || json.Unmarshal(answer, &out) != nil || len(out.Results) != 5 {
		t.Fatalf("the retry: %d %s", code, answer)
	}
	for _, r := range out.Results {
		if r.Status != probeapi.StatusDuplicate {
			t.Errorf("the retry got %q for a measurement stored by the lost request, want duplicate", r.Status)
		}
	}
	waitCount(t, f.conn, "SELECT count() FROM measurements", 5)
	time.Sleep(500 * time.Millisecond)
	waitCount(t, f.conn, "SELECT count() FROM measurements", 5)
	if bytes.Contains(answer, []byte(`"stored"`)) || !strings.Contains(string(answer), "duplicate") {
		t.Errorf("answer: %s", answer)
	}
}
