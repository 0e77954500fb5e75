package researchapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sonde-project/sonde/collector/researchapi"
)

// attacks are SQL (and worse) sent through every parameter.
var attacks = []string{
	"IR' OR '1'='1",
	`IR" OR 1=1 --`,
	"'; DROP TABLE measurements; --",
	`\'; DROP TABLE verdicts; --`,
	"x') UNION ALL SELECT raw FROM measurements --",
	"1 OR 1=1",
	"AS1 OR 1=1",
	"web_connectivity' --",
	"2026-11-01' OR '1'='1",
	"?",
	"{since:String}",
	"probe_cc",
	"\x00",
	strings.Repeat("A", 5000),
}

// TestInjectionThroughEveryParameter: every parameter of every endpoint
// refuses or safely matches nothing; no request makes the server fail or
// touches the tables.
func TestInjectionThroughEveryParameter(t *testing.T) {
	srv, conn := serve(t, researchapi.Config{})
	endpoints := map[string][]string{
		"/api/v1/measurements": {"probe_cc", "probe_asn", "domain", "test_name", "verdict", "since", "until", "limit", "cursor"},
		"/api/v1/aggregation":  {"axis_x", "axis_y", "probe_cc", "probe_asn", "domain", "test_name", "since", "until", "format"},
		"/api/v1/export":       {"probe_cc", "probe_asn", "domain", "test_name", "since", "until"},
		"/reports/country/IR":  {"since", "until", "format"},
		"/reports/domain":      {"domain"},
		"/reports/":            {"since", "until"},
	}
	base := url.Values{"since": {"2026-11-01"}, "until": {"2026-11-22"}}
	for path, names := range endpoints {
		for _, name := range names {
			for _, a := range attacks {
				q := url.Values{}
				for k, v := range base {
					if path != "/reports/domain" {
						q[k] = v
					}
				}
				q.Set(name, a)
				status, _, body := get(t, srv, path+"?"+q.Encode())
				if status >= 500 {
					t.Errorf("%s %s=%.40q: %d %s", path, name, a, status, body)
				}
				if status == 200 && path == "/api/v1/measurements" {
					var page struct{ Results []json.RawMessage }
					if json.Unmarshal(body, &page) != nil || len(page.Results) != 0 {
						t.Errorf("%s %s=%.40q matched %d results", path, name, a, len(page.Results))
					}
				}
			}
		}
	}
	// Path parameters too.
	for _, a := range attacks {
		for _, prefix := range []string{"/api/v1/measurements/", "/reports/country/", "/reports/domain/"} {
			status, _, body := get(t, srv, prefix+url.PathEscape(a))
			if status != 400 && status != 404 {
				t.Errorf("%s%.40q: %d %s", prefix, a, status, body)
			}
		}
	}
	for _, table := range []string{"measurements", "verdicts", "verdict_daily", "measurement_index"} {
		var n uint64
		if err := conn.QueryRow(context.Background(), "SELECT count() FROM "+table).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s after the attacks: %d rows, %v", table, n, err)
		}
	}
}

func TestBadParameters(t *testing.T) {
	srv, _ := serve(t, researchapi.Config{})
	for path, want := range map[string]string{
		"/api/v1/measurements?country=IR":                        `unknown parameter "country"`,
		"/api/v1/measurements?probe_cc=IR&probe_cc=CN":           "probe_cc is given 2 times",
		"/api/v1/measurements?probe_cc=IRN":                      `probe_cc="IRN" is not a two-letter country code`,
		"/api/v1/measurements?since=yesterday":                   `since="yesterday" is not a day (2026-11-01)`,
		"/api/v1/measurements?since=2026-11-05&until=2026-11-01": "until (2026-11-01T00:00:00Z) must be after since",
		"/api/v1/measurements?verdict=blocked":                   `verdict="blocked" is not one of ok, anomaly, confirmed, failure`,
		"/api/v1/measurements?cursor=abc":                        `cursor="abc" is not a cursor`,
		"/api/v1/aggregation?axis_x=raw":                         `axis_x="raw" is not one of blocking_method, domain`,
		"/api/v1/aggregation?axis_y=domain":                      "axis_y needs axis_x",
		"/api/v1/aggregation?axis_x=domain&axis_y=domain":        "axis_x and axis_y are both domain",
		"/api/v1/aggregation?format=xml":                         `format="xml" is not one of json, csv`,
		"/api/v1/export?since=2026-11-01":                        "an export needs since and until",
		"/api/v1/measurements/a%20b":                             `measurement_uid="a b" is not a measurement id`,
	} {
		status, h, body := get(t, srv, path)
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil || status != 400 || !strings.Contains(e.Error, want) || h.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s; want 400 saying %q", path, status, body, want)
		}
	}
	status, _, body := get(t, srv, "/reports/country/XX")
	if status != 400 || !strings.Contains(string(body), `"XX" is not a two-letter country code`) {
		t.Errorf("/reports/country/XX: %d %s", status, body)
	}
}

func TestHeaders(t *testing.T) {
	srv, _ := serve(t, researchapi.Config{})
	for _, path := range []string{"/api/v1/aggregation", "/api/v1/measurements?probe_cc=IR", "/reports/", "/reports/country/IR?since=2026-11-01&until=2026-11-22", "/api/v1/measurements?bad=1"} {
		_, h, _ := get(t, srv, path)
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: headers %v", path, h)
		}
		if strings.HasPrefix(path, "/api/") && h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header", path)
		}
		if strings.HasPrefix(path, "/reports/") && strings.Contains(h.Get("Content-Security-Policy"), "script-src") {
			t.Errorf("%s: pages allow scripts: %s", path, h.Get("Content-Security-Policy"))
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/api/v1/aggregation", nil)
	req.Header.Set("Origin", "https://researcher.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	noFollow := *srv.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = noFollow.Get(srv.URL + "/reports")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/reports/" {
		t.Errorf("/reports: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = srv.Client().Post(srv.URL+"/api/v1/aggregation", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}
