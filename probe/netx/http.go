package netx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// Browser-like request headers, sent unless HTTPOptions.Header sets them.
const (
	DefaultUserAgent      = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36"
	defaultAccept         = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	defaultAcceptLanguage = "en-US,en;q=0.9"
)

// HTTPOptions says how to fetch a URL. The zero value fetches it as a
// browser would, following redirects.
type HTTPOptions struct {
	// Address is the IP (or IP:port) to connect to for the URL's host,
	// instead of resolving it; redirects to other hosts are resolved.
	// OPTIONAL.
	Address string
	// SNI is the TLS server name (and the name the certificate must
	// match) for the URL's host, instead of the host itself; the Host
	// header keeps the URL's host. OPTIONAL.
	SNI string
	// HTTP3 fetches over QUIC (https URLs only). OPTIONAL.
	HTTP3 bool
	// MaxRedirects bounds the redirects followed; past it the fetch fails
	// with http_too_many_redirects. OPTIONAL: DefaultMaxRedirects;
	// negative: follow none (the redirect is the response).
	MaxRedirects int
	// Header adds or replaces request headers. OPTIONAL.
	Header http.Header
}

// HTTPResponse is the final response of a fetch.
type HTTPResponse struct {
	// URL is the final URL, after redirects.
	URL string
	// StatusCode and Proto ("HTTP/1.1", "HTTP/2.0", "HTTP/3.0").
	StatusCode int
	Proto      string
	Header     http.Header
	// Body holds the body up to Config.MaxBodySize; BodyTruncated says
	// whether there was more.
	Body          []byte
	BodyTruncated bool
	// Title is the HTML title of Body, "" when none.
	Title string
	// Redirects is how many redirects were followed.
	Redirects int
}

// errTooManyRedirects is wrapped in the failure past MaxRedirects.
var errTooManyRedirects = errors.New("netx: too many redirects")

// HTTPGet fetches rawURL, following redirects, and records each request
// (newest first), with its DNS, TCP, TLS or QUIC steps. A network failure
// is returned as a *failure.Error, with the response so far when there
// is one (a redirect past the limit). A URL it cannot fetch (not http or
// https) is an ordinary error.
func (n *Net) HTTPGet(ctx context.Context, rawURL string, opts HTTPOptions) (*HTTPResponse, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("netx: %q is not an http or https URL", rawURL)
	}
	maxRedirects := opts.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	jar, _ := cookiejar.New(nil) // cannot fail without options
	tr := &recordingTransport{n: n, opts: opts, host: u.Hostname(), scheme: u.Scheme}
	client := &http.Client{
		Transport: tr,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			switch {
			case maxRedirects < 0:
				return http.ErrUseLastResponse
			case len(via) > maxRedirects:
				return failure.New(failure.HTTPTooManyRedirects, failure.OpHTTPTransaction, errTooManyRedirects)
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("netx: %q: %w", rawURL, err)
	}
	req.Header = browserHeader(opts.Header)
	resp, err := client.Do(req)
	var out *HTTPResponse
	if resp != nil {
		body := tr.lastBody
		out = &HTTPResponse{
			URL: resp.Request.URL.String(), StatusCode: resp.StatusCode, Proto: resp.Proto, Header: resp.Header,
			Body: body, BodyTruncated: tr.lastTruncated, Title: Title(body), Redirects: tr.requests - 1,
		}
		resp.Body.Close()
	}
	if err != nil {
		// The failure of the step that failed (connect, TLS handshake,
		// round trip, body read), under http.Client's *url.Error.
		var fe *failure.Error
		if errors.As(err, &fe) {
			return out, fe
		}
		return out, failure.New(failure.Classify(err), failure.OpHTTPTransaction, err)
	}
	return out, nil
}

func browserHeader(extra http.Header) http.Header {
	h := http.Header{
		"User-Agent":      {DefaultUserAgent},
		"Accept":          {defaultAccept},
		"Accept-Language": {defaultAcceptLanguage},
	}
	for k, v := range extra {
		h[http.CanonicalHeaderKey(k)] = append([]string{}, v...)
	}
	return h
}

// recordingTransport opens a connection per request, reads the body up
// to the limit and records the transaction. http.Client calls it once per
// hop, one at a time.
type recordingTransport struct {
	n      *Net
	opts   HTTPOptions
	host   string // the first URL's host: Address and SNI apply to it
	scheme string

	requests      int
	lastBody      []byte
	lastTruncated bool
}

func (tr *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := tr.n
	tr.requests++
	t := target{resolver: n.resolver, http3: tr.opts.HTTP3}
	if req.URL.Hostname() == tr.host {
		t.address, t.sni = tr.opts.Address, tr.opts.SNI
		if req.URL.Scheme != tr.scheme {
			t.address = hostOnly(t.address) // the port was the first scheme's
		}
	}
	ctx, cancel := n.stepContext(req.Context())
	defer cancel()
	req = req.WithContext(ctx)
	t0 := n.now()
	hc, err := n.openHTTPConn(ctx, req.URL, t)
	if err != nil {
		n.recordTransaction(req, nil, nil, false, err, t0, &httpConn{id: n.newID(), network: "tcp"})
		return nil, err // already classified, with the operation that failed
	}
	defer hc.close()
	n.event(measurement.NetworkEvent{Address: hc.address, Operation: "http_transaction_start", Proto: hc.network,
		T0: n.Since(n.now()), T: n.Since(n.now()), Tags: tagsOf(ctx), TransactionID: hc.id})
	resp, err := hc.rt.RoundTrip(req)
	var (
		body      []byte
		truncated bool
	)
	if err == nil {
		body, truncated, err = readBody(resp.Body, n.cfg.MaxBodySize)
		resp.Body.Close()
	}
	f := n.recordTransaction(req, resp, body, truncated, err, t0, hc)
	n.event(measurement.NetworkEvent{Address: hc.address, Failure: failure.Ptr(f), Operation: "http_transaction_done", Proto: hc.network,
		T0: n.Since(n.now()), T: n.Since(n.now()), Tags: tagsOf(ctx), TransactionID: hc.id})
	if err != nil {
		op := failure.OpHTTPRoundTrip
		if resp != nil {
			op = failure.OpRead
		}
		return nil, failure.New(f, op, err)
	}
	tr.lastBody, tr.lastTruncated = body, truncated
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// readBody reads up to limit bytes, and reports whether there was more.
func readBody(r io.Reader, limit int64) (body []byte, truncated bool, err error) {
	var buf bytes.Buffer
	_, err = io.CopyN(&buf, r, limit+1)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	body = buf.Bytes()
	if int64(len(body)) > limit {
		body, truncated = body[:limit], true
	}
	return body, truncated, err
}

func hostOnly(address string) string {
	if u, err := url.Parse("//" + address); err == nil && u.Port() != "" {
		return u.Hostname()
	}
	return address
}
