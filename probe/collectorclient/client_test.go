package collectorclient

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/probe/collectorclient/collectortest"
)

func validCheckIn() probeapi.CheckInResponse {
	return probeapi.CheckInResponse{
		V: 1, ProbeCC: "IT", ProbeASN: "AS30722", ProbeNetworkName: "Vodafone Italia",
		Tests: map[string]probeapi.CheckInTest{"web_connectivity": {
			ReportID: "20240101T000000Z_webconnectivity_IT_30722_n1_abc",
			URLs:     []probeapi.CheckInTarget{{URL: "https://example.org/", CategoryCode: "NEWS", CountryCode: "XX"}},
		}},
		Conf: probeapi.CheckInConf{TestHelpers: map[string][]probeapi.TestHelper{
			"web-connectivity": {{Address: "https://th.example.org", Type: "https"}}}},
	}
}

func TestRegisterCheckInAndReports(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.CheckIn = validCheckIn(); s.Token = "tok-123" })
	c := &Client{BaseURL: srv.URL}
	ctx := context.Background()
	reg, err := c.Register(ctx, probeapi.RegisterRequest{SoftwareName: "sonde"})
	if err != nil || reg.Token != "tok-123" {
		t.Fatalf("register: %+v, %v", reg, err)
	}
	ci, err := c.CheckIn(ctx, probeapi.CheckInRequest{ProbeCC: "ZZ"})
	if err != nil {
		t.Fatal(err)
	}
	if ci.ProbeCC != "IT" || ci.ProbeIP != "127.0.0.1" || len(ci.Tests["web_connectivity"].URLs) != 1 {
		t.Errorf("check-in %+v", ci)
	}
	// Uploads need the token.
	if _, err := c.OpenReport(ctx, probeapi.OpenReportRequest{TestName: "dns"}); err == nil ||
		err.Error() != "collector answered 401: unknown probe token" || Retryable(err) {
		t.Fatalf("open report without a token: %v", err)
	}
	c.Token = reg.Token
	id, err := c.OpenReport(ctx, probeapi.OpenReportRequest{TestName: "web_connectivity", ProbeCC: "IT", ProbeASN: "AS30722"})
	if err != nil || !strings.HasPrefix(id, "20240101T000000Z_webconnectivity_IT_30722_n1_") {
		t.Fatalf("open report: %q, %v", id, err)
	}
	m := json.RawMessage(`{"test_name":"web_connectivity","input":"https://example.org/?a=<b>&c"}`)
	uid, err := c.Submit(ctx, id, m)
	if err != nil || uid == "" {
		t.Fatalf("submit: %q, %v", uid, err)
	}
	// The measurement arrived byte for byte (no HTML escaping).
	if _, ok := srv.Stored()[collectortest.Hash(m)]; !ok {
		t.Errorf("stored %v; want the measurement unchanged", srv.Stored())
	}
	if err := c.CloseReport(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Submit(ctx, "../../etc", m); err == nil {
		t.Error("submit accepted a report id with slashes")
	}
}

func TestBatchSubmit(t *testing.T) {
	srv := collectortest.New(t)
	srv.Set(func(s *collectortest.Server) { s.Reject = "bogus" })
	c := &Client{BaseURL: srv.URL}
	ms := []json.RawMessage{[]byte(`{"test_name":"dns","input":"a"}`), []byte(`{"test_name":"bogus"}`), []byte(`{"test_name":"dns","input":"a"}`)}
	res, err := c.BatchSubmit(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{res[0].Status, res[1].Status, res[2].Status}
	if strings.Join(got, ",") != "stored,rejected,duplicate" || res[0].MeasurementUID != res[2].MeasurementUID {
		t.Errorf("results %+v", res)
	}
	srv.Set(func(s *collectortest.Server) { s.NoBatch = true })
	if _, err := c.BatchSubmit(context.Background(), ms); !errors.Is(err, ErrBatchUnsupported) {
		t.Errorf("without a batch path: %v", err)
	}
}

// answering returns a server that always answers code and body.
func answering(t *testing.T, code int, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code == http.StatusFound {
			w.Header().Set("Location", "http://elsewhere.example/")
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBadAnswers(t *testing.T) {
	ms := []json.RawMessage{[]byte(`{}`)}
	cases := []struct {
		name      string
		code      int
		body      string
		call      func(c *Client) error
		want      string
		retryable bool
	}{
		{"redirect is not followed", 302, "", func(c *Client) error {
			_, err := c.CheckIn(context.Background(), probeapi.CheckInRequest{})
			return err
		},
			"collector answered 302 Found", false},
		{"server error", 503, `{"error":"overloaded\u001b[31m"}`, func(c *Client) error { _, err := c.BatchSubmit(context.Background(), ms); return err },
			"collector answered 503: overloaded[31m", true},
		{"rate limited", 429, "", func(c *Client) error { _, err := c.BatchSubmit(context.Background(), ms); return err },
			"collector answered 429 Too Many Requests", true},
		{"not json", 200, "<html>", func(c *Client) error {
			_, err := c.CheckIn(context.Background(), probeapi.CheckInRequest{})
			return err
		},
			"bad answer to check-in: invalid character '<'", false},
		{"too large", 200, `{"probe_cc":"` + strings.Repeat("A", maxCheckInBytes) + `"}`,
			func(c *Client) error {
				_, err := c.CheckIn(context.Background(), probeapi.CheckInRequest{})
				return err
			},
			"bad answer to check-in: longer than 8388608 bytes", false},
		{"batch count", 200, `{"results":[]}`, func(c *Client) error { _, err := c.BatchSubmit(context.Background(), ms); return err },
			"bad answer to batch submit: 0 results for 1 measurements", false},
		{"batch status", 200, `{"results":[{"status":"maybe"}]}`, func(c *Client) error { _, err := c.BatchSubmit(context.Background(), ms); return err },
			`bad answer to batch submit: result 0: unknown status "maybe"`, false},
		{"register without token", 200, `{"probe_id":"p"}`, func(c *Client) error {
			_, err := c.Register(context.Background(), probeapi.RegisterRequest{})
			return err
		}, "bad answer to register: token missing", false},
		{"token with newline", 200, `{"token":"a\nb"}`, func(c *Client) error {
			_, err := c.Register(context.Background(), probeapi.RegisterRequest{})
			return err
		}, "bad answer to register: token holds a character", false},
		{"report id with slash", 200, `{"report_id":"a/b"}`, func(c *Client) error {
			_, err := c.OpenReport(context.Background(), probeapi.OpenReportRequest{})
			return err
		}, `bad answer to open report: report_id "a/b"`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{BaseURL: answering(t, tc.code, tc.body).URL}
			err := tc.call(c)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if Retryable(err) != tc.retryable {
				t.Errorf("Retryable = %v", !tc.retryable)
			}
		})
	}
}

func TestNetworkErrorsAreRetryable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := &Client{BaseURL: "http://" + addr, Timeout: 2 * time.Second}
	_, err = c.BatchSubmit(context.Background(), []json.RawMessage{[]byte(`{}`)})
	if err == nil || !Retryable(err) {
		t.Errorf("refused connection: %v, retryable %v", err, Retryable(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.BatchSubmit(ctx, []json.RawMessage{[]byte(`{}`)})
	if err == nil || Retryable(err) {
		t.Errorf("cancelled by the caller: %v should not be retryable", err)
	}
	if (&Client{}).do(context.Background(), "x", "/", nil, nil, 1) == nil {
		t.Error("a client without a collector URL sent a request")
	}
}

func TestRequestDeadline(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	c := &Client{BaseURL: srv.URL, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := c.CheckIn(context.Background(), probeapi.CheckInRequest{})
	if !errors.Is(err, context.DeadlineExceeded) || !Retryable(err) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the deadline was not applied")
	}
}
