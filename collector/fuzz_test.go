package collector_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/internal/probeapi"
)

// FuzzSubmit sends arbitrary bodies to the OONI submit, batch, open-report
// and check-in handlers: they must answer 200 or a 4xx, never crash or
// 5xx, and every measurement they accept must have a well-formed uid.
func FuzzSubmit(f *testing.F) {
	raw, err := os.ReadFile(realWeb)
	if err != nil {
		f.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	doc["measurement_start_time"] = "2026-01-02 03:04:05"
	doc["test_start_time"] = "2026-01-02 03:04:00"
	content, _ := json.Marshal(doc)
	env, _ := json.Marshal(probeapi.SubmitRequest{Format: "json", Content: content})
	f.Add(env)
	f.Add([]byte(`{"format":"json","content":{"test_name":"web_connectivity","measurement_start_time":"2026-01-02 03:04:05"}}`))
	f.Add([]byte(`{"measurements":[{},[],null,"x"]}`))
	f.Add([]byte(`{"format":"json","content":{"test_keys":{"queries":[{"answers":[{"ipv4":1}]}]}}}`))

	cfg := collector.Config{DataDir: f.TempDir()}
	cfg.ClickHouse.Addr = "127.0.0.1:1"
	cfg.Auth.AllowAnonymous = true
	cfg.RateLimit.PerIP = collector.Rate{Rate: -1}
	cfg.Limits.MaxAge = 10 * 365 * 24 * time.Hour
	svc, err := collector.Open(cfg, collector.Deps{})
	if err != nil {
		f.Fatal(err)
	}
	defer svc.Close(f.Context())
	h := svc.Handler()
	const report = "20260102T030405Z_webconnectivity_ID_23693_n1_abcdefghijklmnop"
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/report/" + report, probeapi.PathBatchSubmit, probeapi.PathOpenReport, probeapi.PathCheckIn} {
			req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 && (rec.Code < 400 || rec.Code >= 500) {
				t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body.Bytes())
			}
			if rec.Code != 200 {
				var e probeapi.Error
				if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
					t.Fatalf("%s: %d without a reason: %s", path, rec.Code, rec.Body.Bytes())
				}
				continue
			}
			var uids []string
			var sub probeapi.SubmitResponse
			var batch probeapi.BatchSubmitResponse
			switch path {
			case probeapi.PathOpenReport, probeapi.PathCheckIn:
				continue
			case probeapi.PathBatchSubmit:
				json.Unmarshal(rec.Body.Bytes(), &batch)
				for _, r := range batch.Results {
					if r.Status != probeapi.StatusRejected {
						uids = append(uids, r.MeasurementUID)
					}
				}
			default:
				json.Unmarshal(rec.Body.Bytes(), &sub)
				uids = append(uids, sub.MeasurementUID)
			}
			for _, uid := range uids {
				if !uidPattern.MatchString(uid) {
					t.Fatalf("%s: accepted with uid %q", path, uid)
				}
			}
		}
	})
}
