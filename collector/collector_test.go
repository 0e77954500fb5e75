package collector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/collector"
	"github.com/sonde-project/sonde/collector/geoip/geoiptest"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/verdict"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

const realWeb = "../testdata/ooni/backend-fastpath/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json"

var uidPattern = regexp.MustCompile(`^\d{14}\.\d{6}_[A-Z]{2}_[a-z0-9]+_[0-9a-f]{16}$`)

type fixture struct {
	svc  *collector.Service
	srv  *httptest.Server
	conn driver.Conn   // nil without ClickHouse
	logs *syncedBuffer // everything the collector logged, at debug level
}

type syncedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncedBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncedBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a collector on a real ClickHouse database (withCH) or on an
// unreachable one, with a test mmdb that puts loopback in Italy.
func start(t *testing.T, withCH bool, edit func(*collector.Config)) *fixture {
	t.Helper()
	geo := geoiptest.Write(t, geoiptest.Network{CIDR: "127.0.0.0/8", CC: "IT", ASN: 30722, Org: "Vodafone Italia S.p.A."})
	cfg := collector.Config{DataDir: t.TempDir()}
	cfg.GeoIP.CountryDB, cfg.GeoIP.ASNDB = geo, geo
	cfg.ClickHouse.Addr = "127.0.0.1:1" // nothing listens there
	cfg.Auth.TrustedProxies = []string{"127.0.0.0/8"}
	f := &fixture{logs: &syncedBuffer{}}
	if withCH {
		addr, db := chtest.Database(t)
		cfg.ClickHouse.Addr, cfg.ClickHouse.Database = addr, db
		f.conn = chtest.Open(t, addr, db)
	}
	if edit != nil {
		edit(&cfg)
	}
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := collector.Open(cfg, collector.Deps{Logger: logger, Analyze: func(m *measurement.Measurement) verdict.Verdict {
		return verdict.Verdict{Status: verdict.StatusOK, Confidence: verdict.OK, Blocking: measurement.NotBlocked, AnalysisVersion: 1}
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.srv = httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		f.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		svc.Close(ctx)
	})
	return f
}

type call struct {
	method, path, token, ctype string
	body                       []byte
	header                     map[string]string
}

func (f *fixture) do(t *testing.T, c call) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(c.method, f.srv.URL+c.path, bytes.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, resp.Header
}

func (f *fixture) post(t *testing.T, path, token string, v any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(v)
	code, body, _ := f.do(t, call{method: "POST", path: path, token: token, body: b})
	return code, body
}

func (f *fixture) register(t *testing.T) string {
	t.Helper()
	code, body := f.post(t, probeapi.PathRegister, "", probeapi.RegisterRequest{SoftwareName: "sonde-test"})
	var reg probeapi.RegisterResponse
	if code != 200 || json.Unmarshal(body, &reg) != nil || reg.Token == "" {
		t.Fatalf("register: %d %s", code, body)
	}
	return reg.Token
}

// realMeasurement returns the real OONI measurement with a fresh start
// time (so it is not too old) and the given input.
func realMeasurement(t testing.TB, input string, at time.Time) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(realWeb)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["measurement_start_time"] = measurement.FormatTime(at)
	doc["test_start_time"] = measurement.FormatTime(at.Add(-time.Second))
	doc["input"] = input
	return doc
}

func submitPath(reportID string) string {
	return strings.Replace(probeapi.PathSubmit, "{report_id}", reportID, 1)
}

func waitCount(t *testing.T, conn driver.Conn, q string, want uint64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var n uint64
	for time.Now().Before(deadline) {
		if err := conn.QueryRow(context.Background(), q).Scan(&n); err == nil && n >= want {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n != want {
		t.Fatalf("%s = %d, want %d", q, n, want)
	}
}

func TestOONIProtocolEndToEnd(t *testing.T) {
	f := start(t, true, nil)
	token := f.register(t)

	code, body := f.post(t, probeapi.PathCheckIn, token, probeapi.CheckInRequest{SoftwareName: "sonde-test", ProbeCC: "DE", ProbeASN: "AS3320"})
	var ci probeapi.CheckInResponse
	if code != 200 || json.Unmarshal(body, &ci) != nil {
		t.Fatalf("check-in: %d %s", code, body)
	}
	if ci.ProbeCC != "IT" || ci.ProbeASN != "AS30722" || ci.ProbeNetworkName != "Vodafone Italia S.p.A." {
		t.Errorf("check-in located the probe at %s %s %q, want the mmdb's IT AS30722", ci.ProbeCC, ci.ProbeASN, ci.ProbeNetworkName)
	}
	if _, ok := ci.Tests["web_connectivity"]; !ok {
		t.Errorf("check-in tests: %v", ci.Tests)
	}

	code, body = f.post(t, probeapi.PathOpenReport, token, probeapi.OpenReportRequest{
		DataFormatVersion: "0.2.0", Format: "json", ProbeASN: "AS30722", ProbeCC: "IT",
		SoftwareName: "ooniprobe", SoftwareVersion: "3.20.0", TestName: "web_connectivity", TestVersion: "0.4.3",
	})
	var open probeapi.OpenReportResponse
	if code != 200 || json.Unmarshal(body, &open) != nil || !strings.Contains(open.ReportID, "_webconnectivity_IT_30722_n1_") {
		t.Fatalf("open report: %d %s", code, body)
	}

	// The uploader is 203.0.113.7 (through a trusted proxy), and that
	// address appears in the body: it must not be stored.
	doc := realMeasurement(t, "http://archive.org", time.Now().Add(-time.Minute))
	doc["report_id"] = open.ReportID
	doc["probe_ip"] = "203.0.113.7"
	doc["annotations"].(map[string]any)["leak"] = "my address is 203.0.113.7"
	content, _ := json.Marshal(doc)
	var uid string
	for attempt := range 2 { // the second is a re-upload
		b, _ := json.Marshal(probeapi.SubmitRequest{Format: "json", Content: content})
		code, body, _ := f.do(t, call{method: "POST", path: submitPath(open.ReportID), token: token, body: b,
			header: map[string]string{"X-Forwarded-For": "203.0.113.7"}})
		var sub probeapi.SubmitResponse
		if code != 200 || json.Unmarshal(body, &sub) != nil || !uidPattern.MatchString(sub.MeasurementUID) {
			t.Fatalf("submit %d: %d %s", attempt, code, body)
		}
		if attempt == 1 && sub.MeasurementUID != uid {
			t.Fatalf("re-upload got uid %s, first upload %s", sub.MeasurementUID, uid)
		}
		uid = sub.MeasurementUID
	}
	if !strings.Contains(uid, "_ID_webconnectivity_") { // the measurement says ID
		t.Errorf("uid %s", uid)
	}
	code, _ = f.post(t, strings.Replace(probeapi.PathCloseReport, "{report_id}", open.ReportID, 1), token, struct{}{})
	if code != 200 {
		t.Errorf("close: %d", code)
	}

	waitCount(t, f.conn, "SELECT count() FROM measurements", 1)
	var raw, reportID, domain string
	var asn uint32
	if err := f.conn.QueryRow(context.Background(), "SELECT raw, report_id, domain, probe_asn FROM measurements WHERE measurement_uid = ?", uid).Scan(&raw, &reportID, &domain, &asn); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "203.0.113.7") || !strings.Contains(raw, `"probe_ip":"127.0.0.1"`) || !strings.Contains(raw, "[scrubbed]") {
		t.Errorf("the uploader's address was not scrubbed from the stored measurement")
	}
	if reportID != open.ReportID || domain != "archive.org" || asn != 23693 {
		t.Errorf("stored report_id %s domain %s asn %d", reportID, domain, asn)
	}
	waitCount(t, f.conn, "SELECT count() FROM observations", 4)
	waitCount(t, f.conn, "SELECT count() FROM verdicts WHERE status = 'ok'", 1)
	if logs := f.logs.String(); strings.Contains(logs, "203.0.113.7") || strings.Contains(logs, token) || !strings.Contains(logs, "report-submit") {
		t.Errorf("the logs hold the probe's address or token (or nothing):\n%s", logs)
	}
	// The stored JSON carries the uid and parses as a measurement.
	m, err := measurement.Parse([]byte(raw))
	if err != nil || m.MeasurementUID != uid {
		t.Errorf("stored JSON: uid %q, %v", m.MeasurementUID, err)
	}
}

func TestBatchSubmit(t *testing.T) {
	f := start(t, true, nil)
	token := f.register(t)
	now := time.Now().Add(-time.Hour)
	good := func(i int) json.RawMessage {
		d := realMeasurement(t, fmt.Sprintf("https://site%d.example/", i), now)
		b, _ := json.Marshal(d)
		return b
	}
	future := realMeasurement(t, "https://future.example/", time.Now().Add(48*time.Hour))
	fb, _ := json.Marshal(future)
	req := probeapi.BatchSubmitRequest{Measurements: []json.RawMessage{good(1), good(2), good(1), fb, json.RawMessage(`{"test_name":"web_connectivity"}`)}}
	code, body := f.post(t, probeapi.PathBatchSubmit, token, req)
	var resp probeapi.BatchSubmitResponse
	if code != 200 || json.Unmarshal(body, &resp) != nil || len(resp.Results) != 5 {
		t.Fatalf("batch: %d %s", code, body)
	}
	want := []string{"stored", "stored", "duplicate", "rejected", "rejected"}
	for i, r := range resp.Results {
		if r.Status != want[i] {
			t.Errorf("result %d: %+v, want %s", i, r, want[i])
		}
	}
	if resp.Results[0].MeasurementUID != resp.Results[2].MeasurementUID {
		t.Errorf("the same measurement got two uids")
	}
	if !strings.Contains(resp.Results[3].Error, "future") {
		t.Errorf("future measurement: %q", resp.Results[3].Error)
	}

	// JSON lines, with one measurement already stored.
	nd := append(append(append([]byte{}, good(2)...), '\n'), good(3)...)
	code, body, _ = f.do(t, call{method: "POST", path: probeapi.PathBatchSubmit, token: token, body: nd, ctype: "application/x-ndjson"})
	if code != 200 || json.Unmarshal(body, &resp) != nil || len(resp.Results) != 2 || resp.Results[0].Status != "duplicate" || resp.Results[1].Status != "stored" {
		t.Fatalf("ndjson batch: %d %s", code, body)
	}
	waitCount(t, f.conn, "SELECT count() FROM measurements", 3)
}

// serve runs the Service's own http.Server (its timeouts, its TLS) on a
// loopback port until the test ends, and returns the address.
func (f *fixture) serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.svc.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}
