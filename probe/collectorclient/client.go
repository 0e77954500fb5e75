// Package collectorclient talks to a collector for the probe: register,
// check-in (what to measure), and uploads in OONI's collector protocol
// (open a report, submit, close) or sonde's batch path. Requests go
// through an optional SOCKS5 or HTTP proxy.
//
// # Design
//
// The collector is trusted to say what to measure, not how to run: its
// answers are bounded in size, decoded into the probeapi types and
// validated field by field (URLs are http or https, ids use a small
// alphabet, lists are bounded) before anything reaches the runner.
// Redirects are never followed. Every request has a deadline.
//
// Errors say whether trying again may help (Retryable): the network,
// 5xx, 408 and 429 answers are worth a retry; other 4xx answers are not.
package collectorclient

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/probeapi"
	"github.com/sonde-project/sonde/internal/version"
)

// Client is a collector's probe API. The zero value of every OPTIONAL
// field works.
type Client struct {
	// BaseURL is the collector, "https://collector.example.org".
	// REQUIRED.
	BaseURL string
	// Token authenticates the probe (from Register). OPTIONAL: anonymous.
	Token string
	// HTTP sends the requests. OPTIONAL: NewHTTPClient("", nil).
	HTTP *http.Client
	// Timeout bounds each request. OPTIONAL: 60s.
	Timeout time.Duration
}

// Bounds on the collector's answers.
const (
	maxCheckInBytes = 8 << 20
	maxAnswerBytes  = 1 << 20
	maxErrorBytes   = 4 << 10
)

// StatusError is a non-2xx answer.
type StatusError struct {
	Code    int
	Message string // the collector's error text, bounded
}

func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("collector answered %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("collector answered %d: %s", e.Code, e.Message)
}

// ErrBatchUnsupported is returned by BatchSubmit when the collector has no
// batch path (an OONI collector): use the report path instead.
var ErrBatchUnsupported = errors.New("the collector has no batch upload path")

// Retryable reports whether trying the same request again later may
// succeed: a network failure or a 5xx, 408 or 429 answer. A bad answer
// from the collector and other 4xx answers are not retryable.
func Retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code >= 500 || se.Code == http.StatusTooManyRequests || se.Code == http.StatusRequestTimeout
	}
	var bad *BadAnswerError
	if errors.As(err, &bad) || errors.Is(err, ErrBatchUnsupported) || errors.Is(err, context.Canceled) {
		return false
	}
	return err != nil
}

// BadAnswerError is an answer that does not decode or does not validate.
type BadAnswerError struct {
	What string
	Err  error
}

func (e *BadAnswerError) Error() string { return "bad answer to " + e.What + ": " + e.Err.Error() }
func (e *BadAnswerError) Unwrap() error { return e.Err }

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	h, _ := NewHTTPClient("", nil) // never fails without a proxy
	c.HTTP = h
	return h
}

// do sends in as JSON to path and decodes a 2xx answer of at most limit
// bytes into out (when not nil).
func (c *Client) do(ctx context.Context, what, path string, in, out any, limit int64) error {
	if c.BaseURL == "" {
		return errors.New("no collector URL")
	}
	// Without HTML escaping, a measurement goes out byte for byte as it
	// was written: the collector dedupes by content.
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(in); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(c.Timeout, 60*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.BaseURL, "/")+path, &body)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", version.Name+"-probe/"+version.String())
	if c.Token != "" {
		req.Header.Set(probeapi.AuthHeader, "Bearer "+c.Token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(resp)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("%s: reading the answer: %w", what, err)
	}
	if int64(len(raw)) > limit {
		return &BadAnswerError{what, fmt.Errorf("longer than %d bytes", limit)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &BadAnswerError{what, err}
	}
	return nil
}

func statusError(resp *http.Response) error {
	se := &StatusError{Code: resp.StatusCode}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	var e probeapi.Error
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		se.Message = printable(e.Error, 200)
	}
	return se
}

// printable keeps the first n printable ASCII characters of s: a
// collector's error text goes to a terminal.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= n {
			b.WriteString("…")
			break
		}
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reportPath fills a report id into a probeapi path.
func reportPath(pattern, reportID string) string {
	return strings.Replace(pattern, "{report_id}", url.PathEscape(reportID), 1)
}
