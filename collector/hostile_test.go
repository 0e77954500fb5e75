package collector_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// hostileCase is one request meant to break the collector: it must get
// the status and a reason that says what is wrong.
type hostileCase struct {
	name, path, ctype string
	body              []byte
	code              int
	reason            string
}

// hostileBodies are measurements and envelopes built to hurt a parser,
// for the OONI submit path (report) and the batch path.
func hostileBodies(t *testing.T, report string) []hostileCase {
	doc := func() map[string]any {
		return realMeasurement(t, "http://hostile.example/", time.Now().Add(-time.Minute))
	}
	raw := func(d map[string]any) []byte { return mustJSON(d) }
	ooni := func(content []byte) []byte {
		return append(append([]byte(`{"format":"json","content":`), content...), '}')
	}
	batch := func(content []byte) []byte {
		return append(append([]byte(`{"measurements":[`), content...), ']', '}')
	}
	// A measurement with something spliced in just before its last '}'.
	with := func(member string) []byte {
		b := raw(doc())
		return append(append(b[:len(b)-1:len(b)-1], ","+member...), '}')
	}
	big := doc()
	big["annotations"].(map[string]any)["pad"] = strings.Repeat("x", 70<<10)
	deep := `"deep":` + strings.Repeat(`{"a":`, 70) + `1` + strings.Repeat(`}`, 70)
	deepArrays := `"deep":` + strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000)
	submit := submitPath(report)
	var cases []hostileCase
	for _, c := range []struct {
		name   string
		body   []byte
		code   int
		reason string
	}{
		{"nested 70 deep", with(deep), 400, "nested more than 64 deep"},
		{"nested 20000 deep", with(deepArrays), 400, "nested more than 64 deep"},
		{"invalid UTF-8 in a value", with("\"x_note\":\"caf\xe9\""), 400, "invalid UTF-8"},
		{"invalid UTF-8 in a key", with("\"x_\xff\":1"), 400, "invalid UTF-8"},
		{"huge number", with(`"x_n":1e999999`), 400, "out of range"},
		{"long number", with(`"x_n":` + strings.Repeat("9", 400)), 400, "longer than 64"},
		{"duplicate key", with(`"test_name":"tor"`), 400, "duplicate key"},
		{"test_name in capitals", with(`"TEST_NAME":"tor"`), 400, "spells a measurement field's name another way"},
		{"escaped field name", with(`"test\u005fname":"tor"`), 400, "spells a measurement field's name another way"},
		{"NUL in a string", with("\"x_note\":\"a\x00b\""), 400, "control character"},
		{"not an object", []byte(`[1,2,3]`), 400, "not a JSON object"},
		{"a string", []byte(`"hello"`), 400, "not a JSON object"},
		{"oversized measurement", raw(big), 413, "limit"},
	} {
		cases = append(cases,
			hostileCase{"ooni/" + c.name, submit, "", ooni(c.body), c.code, c.reason},
			hostileCase{"batch/" + c.name, probeapi.PathBatchSubmit, "", batch(c.body), c.code, c.reason})
	}
	return append(cases,
		hostileCase{"ooni/envelope not JSON", submit, "", []byte(`{"format":"json","content":{"a":1}`), 400, "invalid JSON"},
		hostileCase{"ooni/envelope with garbage after", submit, "", append(ooni(raw(doc())), " x"...), 400, "invalid JSON"},
		hostileCase{"ooni/empty body", submit, "", nil, 400, "invalid JSON"},
		hostileCase{"ooni/yaml report", submit, "", []byte(`{"format":"yaml","content":"---\n"}`), 400, "format must be"},
		hostileCase{"batch/not a list", probeapi.PathBatchSubmit, "", []byte(`{"measurements":{"a":1}}`), 400, "invalid JSON"},
		hostileCase{"batch/bare list", probeapi.PathBatchSubmit, "", []byte(`[1]`), 400, "invalid JSON"},
		hostileCase{"batch/JSON lines, one too long", probeapi.PathBatchSubmit, "application/x-ndjson",
			append(append(raw(doc()), '\n'), raw(big)...), 413, "longer than the largest measurement"},
		hostileCase{"batch/body over the limit", probeapi.PathBatchSubmit, "", bytes.Repeat([]byte(" "), 600<<10), 413, "the limit is"},
		hostileCase{"ooni/truncated", submit, "", ooni(raw(doc())[:2000]), 400, "invalid JSON"},
		hostileCase{"batch/truncated JSON line", probeapi.PathBatchSubmit, "application/x-ndjson", raw(doc())[:2000], 400, "unexpected end of JSON"},
	)
}

// TestHostileInputGetsAClear4xxAndStoresNothing sends every hostile body
// through both upload paths to a collector on a real ClickHouse: each
// gets its 4xx and reason; nothing reaches the spool; and once a valid
// measurement has been loaded (proof the loader runs) ClickHouse holds
// that one alone.
func TestHostileInputGetsAClear4xxAndStoresNothing(t *testing.T) {
	f := start(t, true, func(c *collector.Config) {
		c.Limits.MaxMeasurementBytes = 64 << 10
		c.Limits.MaxBatchBytes = 512 << 10
		c.Limits.MaxInflightBytes = 512 << 10
	})
	token := f.register(t)
	report := f.openReport(t, token)
	for _, tc := range hostileBodies(t, report) {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hd := f.do(t, call{method: "POST", path: tc.path, token: token, ctype: tc.ctype, body: tc.body})
			reason := reasonOf(body)
			if strings.HasPrefix(tc.name, "batch/") && code == 200 {
				// A batch answers per measurement.
				var out probeapi.BatchSubmitResponse
				if json.Unmarshal(body, &out) == nil && len(out.Results) == 1 && out.Results[0].Status == probeapi.StatusRejected {
					code, reason = tc.code, out.Results[0].Error
				}
			}
			if code != tc.code || !strings.Contains(reason, tc.reason) {
				t.Errorf("got %d %q, want %d with %q", code, truncateForLog(body), tc.code, tc.reason)
			}
			if hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("the answer lacks the security headers: %v", hd)
			}
		})
	}
	if n := f.spooled(t); n != 0 {
		t.Fatalf("the hostile uploads left %d bytes in the spool", n)
	}
	fine := realMeasurement(t, "http://fine.example/", time.Now().Add(-time.Minute))
	fine["report_id"] = report
	good := mustJSON(fine)
	code, body, _ := f.do(t, call{method: "POST", path: submitPath(report), token: token, body: append(append([]byte(`{"format":"json","content":`), good...), '}')})
	if code != 200 {
		t.Fatalf("a valid upload after the hostile ones: %d %s", code, body)
	}
	waitCount(t, f.conn, "SELECT count() FROM measurements", 1)
	for _, table := range []string{"measurements", "verdicts"} {
		waitCount(t, f.conn, "SELECT count() FROM "+table, 1)
	}
}

func reasonOf(body []byte) string {
	var e probeapi.Error
	json.Unmarshal(body, &e)
	return e.Error
}

func truncateForLog(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%s… (%d bytes)", b[:300], len(b))
	}
	return string(b)
}
