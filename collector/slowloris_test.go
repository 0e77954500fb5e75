package collector_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// trickle opens a connection and sends prefix, then one byte of body
// every interval until the server closes the connection or give runs
// out; it returns how long the connection lived and what the server
// answered (empty when it just closed).
func trickle(addr, prefix string, interval, give time.Duration) (time.Duration, string) {
	start := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, "dial: " + err.Error()
	}
	defer c.Close()
	answer := make(chan string, 1)
	go func() {
		c.SetReadDeadline(time.Now().Add(give))
		b, _ := io.ReadAll(c)
		answer <- string(b)
	}()
	if _, err := c.Write([]byte(prefix)); err != nil {
		return time.Since(start), <-answer
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case a := <-answer:
			return time.Since(start), a
		case <-t.C:
			if _, err := c.Write([]byte("x")); err != nil {
				return time.Since(start), <-answer
			}
		}
	}
}

// TestSlowlorisIsCutOffAndOthersAreServed: 80 clients trickle their
// headers and 80 more their bodies (one byte every 200 ms), more than
// the collector has upload slots (8 here). The header tricklers are cut
// at read_header_timeout, the body tricklers as soon as they fall below
// min_body_rate after body_grace (408, connection closed), none holds a
// slot, nothing of theirs is stored, and a normal upload sent in the
// middle of the attack is answered promptly.
func TestSlowlorisIsCutOffAndOthersAreServed(t *testing.T) {
	f := start(t, false, func(c *collector.Config) {
		c.Limits.ReadHeaderTimeout = time.Second
		c.Limits.BodyGrace = time.Second
		c.Limits.MinBodyRate = 1024
		c.Limits.MaxConcurrentUploads = 8
		c.RateLimit.PerIP = collector.Rate{Rate: -1}
	})
	addr := f.serve(t)
	token := f.register(t)
	headers := "POST " + probeapi.PathBatchSubmit + " HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer " + token + "\r\nX-Slow: "
	body := "POST " + probeapi.PathBatchSubmit + " HTTP/1.1\r\nHost: c\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"measurements\":["
	type result struct {
		kind   string
		lived  time.Duration
		answer string
	}
	results := make(chan result, 160)
	var wg sync.WaitGroup
	for i := range 160 {
		kind, prefix := "headers", headers
		if i%2 == 1 {
			kind, prefix = "body", body
		}
		wg.Go(func() {
			lived, answer := trickle(addr, prefix, 200*time.Millisecond, 30*time.Second)
			results <- result{kind, lived, answer}
		})
	}
	time.Sleep(500 * time.Millisecond) // every trickler is connected and inside its grace period
	d := realMeasurement(t, "http://during-the-attack.example/", time.Now().Add(-time.Minute))
	b := mustJSON(probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{mustJSON(d)}})
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("POST", "http://"+addr+probeapi.PathBatchSubmit, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("a normal upload during the attack: %v", err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), `"stored"`) {
		t.Fatalf("a normal upload during the attack: %d %s", resp.StatusCode, answer)
	}
	t.Logf("a normal upload during the attack took %v", time.Since(began).Round(time.Millisecond))
	wg.Wait()
	close(results)
	for r := range results {
		// Generous bounds: the point is seconds, not the two minutes of
		// read_timeout.
		if r.lived > 15*time.Second {
			t.Errorf("a %s trickler was kept %v", r.kind, r.lived)
		}
		if r.kind == "body" && r.answer != "" && !strings.Contains(r.answer, "408") {
			t.Errorf("a body trickler got %q, want 408 or a closed connection", firstLine(r.answer))
		}
	}
	if n := f.spooled(t); n == 0 {
		t.Fatal("the normal upload was not spooled")
	}
	code, metrics, _ := f.do(t, call{method: "GET", path: probeapi.PathMetrics})
	if code != 200 || !strings.Contains(string(metrics), `sonde_collector_measurements_total{result="stored"} 1`+"\n") {
		t.Errorf("stored, by the metrics: %s", grepLine(string(metrics), `result="stored"`))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

func grepLine(s, sub string) string {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			return sc.Text()
		}
	}
	return fmt.Sprintf("(no line with %q)", sub)
}
