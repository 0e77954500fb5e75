package webconnectivity

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/version"
)

// maxControlAnswer bounds the control helper's answer. oohelperd's are a
// few kilobytes; the headers of a page are the largest part.
const maxControlAnswer = 4 << 20

// Failures of the control query that OONI's vocabulary has no name for.
var (
	errNoControl  = errors.New("no control helper configured")
	errControlRes = errors.New("control helper answered")
)

// controlClient asks a control helper (OONI's oohelperd protocol).
type controlClient struct {
	url     string
	client  *http.Client
	timeout time.Duration
}

func newControlClient(url string, roots *x509.CertPool, timeout time.Duration) *controlClient {
	return &controlClient{
		url:     url,
		timeout: timeout,
		client: &http.Client{Transport: &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			TLSClientConfig:        &tls.Config{RootCAs: roots},
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    timeout,
			ResponseHeaderTimeout:  timeout,
			MaxResponseHeaderBytes: 64 << 10,
		}},
	}
}

// query sends req and returns the answer, or a failure string (OONI's
// control_failure) when there is none.
func (c *controlClient) query(ctx context.Context, req measurement.ControlRequest) (*measurement.ControlResponse, string) {
	if c.url == "" {
		return nil, failure.Unknown(errNoControl)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil { // a ControlRequest always encodes
		return nil, failure.Unknown(err)
	}
	var resp *http.Response
	for attempt := 1; ; attempt++ {
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
		if err != nil {
			return nil, failure.Unknown(fmt.Errorf("control helper URL %q: %w", c.url, err))
		}
		hreq.Header.Set("Content-Type", "application/json")
		hreq.Header.Set("User-Agent", "sonde-probe/"+version.Version)
		resp, err = c.client.Do(hreq)
		if err != nil {
			return nil, failure.Classify(err)
		}
		if resp.StatusCode == http.StatusOK {
			break
		}
		// A busy helper (its concurrency limit, a proxy in front) is asked
		// again a few times, as long as the control's deadline allows.
		wait, again := retryAfter(resp, attempt)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if !again || !sleepCtx(ctx, wait) {
			c.client.CloseIdleConnections()
			return nil, failure.HTTPUnexpectedStatusCode
		}
	}
	defer resp.Body.Close()
	defer c.client.CloseIdleConnections()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxControlAnswer+1))
	if err != nil {
		return nil, failure.Classify(err)
	}
	ctrl, err := decodeControl(data)
	if err != nil {
		return nil, failure.JSONParse
	}
	return ctrl, ""
}

// maxControlAttempts is how many times a busy control helper is asked.
const maxControlAttempts = 3

// retryAfter says whether an answer with resp's status is worth asking
// again after the attempt-th one, and how long to wait first: the
// helper's Retry-After (at most 5 s), or 250 ms, 500 ms.
func retryAfter(resp *http.Response, attempt int) (time.Duration, bool) {
	switch resp.StatusCode {
	case http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusGatewayTimeout:
	default:
		return 0, false
	}
	if attempt >= maxControlAttempts {
		return 0, false
	}
	wait := time.Duration(attempt) * 250 * time.Millisecond
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		wait = min(time.Duration(s)*time.Second, 5*time.Second)
	}
	return wait, true
}

// sleepCtx waits d, or less if ctx ends first or would end before d has
// passed; it says whether there is still time to try again.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// decodeControl decodes a control helper's answer. It is lenient on fields
// (a newer helper may add some) and strict on size and shape.
func decodeControl(data []byte) (*measurement.ControlResponse, error) {
	if len(data) > maxControlAnswer {
		return nil, fmt.Errorf("%w with more than %d bytes", errControlRes, maxControlAnswer)
	}
	var ctrl measurement.ControlResponse
	if err := json.Unmarshal(data, &ctrl); err != nil {
		return nil, fmt.Errorf("%w with bad JSON: %v", errControlRes, err)
	}
	if ctrl.TCPConnect == nil && ctrl.DNS.Addrs == nil && ctrl.HTTPRequest.StatusCode == 0 && ctrl.HTTPRequest.Failure == nil {
		return nil, fmt.Errorf("%w with no measurement in it", errControlRes)
	}
	return &ctrl, nil
}
