package researchapi_test

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/sonde-project/sonde/analysis/reporttest"
	"github.com/sonde-project/sonde/collector/researchapi"
	"github.com/sonde-project/sonde/internal/chserver/chtest"
	"github.com/sonde-project/sonde/internal/verdict"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// serve loads the scenario into a fresh database and serves the API on it.
func serve(t *testing.T, cfg researchapi.Config) (*httptest.Server, driver.Conn) {
	t.Helper()
	conn, _, _ := reporttest.Database(t, true)
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return reporttest.Now }
	}
	srv := httptest.NewServer(researchapi.New(conn, cfg))
	t.Cleanup(srv.Close)
	return srv, conn
}

// get fetches path and returns the status, headers and body.
func get(t *testing.T, srv *httptest.Server, path string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func getJSON(t *testing.T, srv *httptest.Server, path string, out any) {
	t.Helper()
	status, _, body := get(t, srv, path)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

func TestAPI(t *testing.T) {
	srv, _ := serve(t, researchapi.Config{})
	outcomes := reporttest.Outcomes()

	t.Run("measurement by uid", func(t *testing.T) {
		o := outcomes[1234]
		_, want, err := reporttest.Measurement(o)
		if err != nil {
			t.Fatal(err)
		}
		status, h, body := get(t, srv, "/api/v1/measurements/"+o.UID)
		if status != 200 || string(body) != string(want) || h.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, %s, body equal: %v", status, h.Get("Content-Type"), string(body) == string(want))
		}
		if status, _, body := get(t, srv, "/api/v1/measurements/20261101nope"); status != 404 || !strings.Contains(string(body), "no measurement with id") {
			t.Errorf("unknown uid: %d %s", status, body)
		}
	})

	t.Run("search with every filter and cursor pages", func(t *testing.T) {
		want := map[string]bool{}
		for _, o := range outcomes {
			if o.Domain == "twitter.com" && o.ASN == "AS44244" && o.Confidence == verdict.Confirmed &&
				!o.At.Before(reporttest.Since.AddDate(0, 0, 5)) && o.At.Before(reporttest.Since.AddDate(0, 0, 15)) {
				want[o.UID] = true
			}
		}
		path := "/api/v1/measurements?probe_cc=ir&probe_asn=AS44244&domain=twitter.com&test_name=web_connectivity" +
			"&verdict=confirmed&since=2026-11-06&until=2026-11-16&limit=7"
		got := map[string]bool{}
		var last string
		for pages := 0; path != ""; pages++ {
			if pages > 20 {
				t.Fatal("too many pages")
			}
			var page struct {
				Metadata struct {
					Count   int    `json:"count"`
					NextURL string `json:"next_url"`
				} `json:"metadata"`
				Results []struct {
					UID     string `json:"measurement_uid"`
					Time    string `json:"measurement_start_time"`
					Verdict struct {
						Confidence, Blocking string
					} `json:"verdict"`
				} `json:"results"`
			}
			getJSON(t, srv, path, &page)
			for _, r := range page.Results {
				if got[r.UID] {
					t.Errorf("%s on two pages", r.UID)
				}
				if last != "" && r.Time > last {
					t.Errorf("not newest first: %s after %s", r.Time, last)
				}
				last = r.Time
				got[r.UID] = true
				if r.Verdict.Confidence != "confirmed" || r.Verdict.Blocking != "dns" {
					t.Errorf("%s: verdict %+v", r.UID, r.Verdict)
				}
			}
			path = page.Metadata.NextURL
		}
		if len(got) != len(want) || len(want) < 30 {
			t.Fatalf("found %d measurements, want %d", len(got), len(want))
		}
		for uid := range want {
			if !got[uid] {
				t.Errorf("missing %s", uid)
			}
		}
	})

	t.Run("aggregation JSON and CSV", func(t *testing.T) {
		var agg struct {
			Result []map[string]any `json:"result"`
			Dims   int              `json:"dimension_count"`
		}
		getJSON(t, srv, "/api/v1/aggregation?probe_cc=IR&domain=twitter.com&axis_x=probe_asn&axis_y=blocking_method&since=2026-11-01&until=2026-11-22", &agg)
		blocked := map[string]float64{}
		for _, r := range agg.Result {
			if r["blocking_method"] == "dns" {
				blocked[r["probe_asn"].(string)] += r["confirmed_count"].(float64)
			}
		}
		if agg.Dims != 2 || len(blocked) != 3 || blocked["AS44244"] < 80 {
			t.Errorf("networks blocking twitter.com by DNS: %v (dims %d)", blocked, agg.Dims)
		}
		status, h, body := get(t, srv, "/api/v1/aggregation?probe_cc=IR&axis_x=measurement_start_day&since=2026-11-01&until=2026-11-22&format=CSV")
		recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if status != 200 || err != nil || h.Get("Content-Type") != "text/csv; charset=utf-8" || len(recs) != 22 ||
			strings.Join(recs[0], ",") != "measurement_start_day,anomaly_count,confirmed_count,failure_count,ok_count,measurement_count" ||
			recs[1][0] != "2026-11-01" || recs[1][5] != "120" {
			t.Errorf("CSV: %d %v %q", status, err, recs[:min(len(recs), 2)])
		}
	})

	t.Run("export JSONL", func(t *testing.T) {
		want := 0
		for _, o := range outcomes {
			if o.At.Before(reporttest.Since.AddDate(0, 0, 2)) && o.Domain == "signal.org" {
				want++
			}
		}
		resp, err := srv.Client().Get(srv.URL + "/api/v1/export?probe_cc=IR&domain=signal.org&since=2026-11-01&until=2026-11-03")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		n, prev := 0, ""
		for sc.Scan() {
			var m struct {
				UID   string `json:"measurement_uid"`
				Start string `json:"measurement_start_time"`
				Input string `json:"input"`
			}
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m.Input != "https://signal.org/" {
				t.Fatalf("line %d: %v %+v", n, err, m)
			}
			if m.Start < prev {
				t.Errorf("not oldest first: %s after %s", m.Start, prev)
			}
			prev = m.Start
			n++
		}
		if resp.StatusCode != 200 || n != want || resp.Header.Get("Content-Type") != "application/x-ndjson" {
			t.Errorf("export: %d, %d lines (want %d)", resp.StatusCode, n, want)
		}
	})
}

func TestLimits(t *testing.T) {
	srv, _ := serve(t, researchapi.Config{MaxExportRows: 100, MaxAggregationRows: 10, MaxPageSize: 50, MaxExportDays: 2})
	for path, want := range map[string]string{
		"/api/v1/export?since=2026-11-01&until=2026-11-02":                  "120 measurements match, the limit is 100",
		"/api/v1/export?since=2026-11-01&until=2026-11-05":                  "more than 2 days apart",
		"/api/v1/aggregation?axis_x=measurement_start_day&since=2026-11-01": "the answer is too large",
		"/api/v1/measurements?limit=51":                                     "limit=\"51\" is not a number from 1 to 50",
	} {
		status, _, body := get(t, srv, path)
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil || status/100 != 4 || !strings.Contains(e.Error, want) {
			t.Errorf("%s: %d %s; want a 4xx saying %q", path, status, body, want)
		}
	}
}

// TestCategoriesFollowTheLists: the pages ask Config.Categories for the
// categories at each report, so a reload of the test lists shows at once.
func TestCategoriesFollowTheLists(t *testing.T) {
	var current atomic.Pointer[map[string]string]
	grp := map[string]string{"twitter.com": "GRP"}
	current.Store(&grp)
	srv, _ := serve(t, researchapi.Config{Categories: func() map[string]string { return *current.Load() }})
	category := func() string {
		var rep struct {
			Groups []struct {
				Code     string
				Findings []struct{ Domain, Category string }
			}
		}
		getJSON(t, srv, "/reports/country/IR?since=2026-11-01&until=2026-11-22&format=json", &rep)
		for _, g := range rep.Groups {
			for _, f := range g.Findings {
				if f.Domain == "twitter.com" {
					return g.Code
				}
			}
		}
		t.Fatalf("no finding for twitter.com in %+v", rep.Groups)
		return ""
	}
	if c := category(); c != "GRP" {
		t.Fatalf("twitter.com under %q, want GRP", c)
	}
	news := map[string]string{"twitter.com": "NEWS"}
	current.Store(&news)
	if c := category(); c != "NEWS" {
		t.Fatalf("after the lists changed, twitter.com under %q, want NEWS", c)
	}
}
