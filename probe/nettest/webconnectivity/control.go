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
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, failure.Unknown(fmt.Errorf("control helper URL %q: %w", c.url, err))
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("User-Agent", "sonde-probe/"+version.Version)
	resp, err := c.client.Do(hreq)
	if err != nil {
		return nil, failure.Classify(err)
	}
	defer resp.Body.Close()
	defer c.client.CloseIdleConnections()
	if resp.StatusCode != http.StatusOK {
		return nil, failure.HTTPUnexpectedStatusCode
	}
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
