package controlhelper

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
)

// Bounds of a fetch besides Config.MaxBodyBytes.
const (
	maxResponseHeaderBytes = 256 << 10
	// titleWindow is how much of a page is kept in memory to find its
	// title; the rest is only counted.
	titleWindow = 1 << 20
)

// names resolves host names for the fetches of one request. It starts
// with what the DNS part found for the target (addresses or failure), so
// that the page is fetched from the addresses the answer reports, and
// resolves any other host (a redirect) with the helper's resolver.
type names struct {
	r     *resolver
	mu    sync.Mutex
	known map[string]lookupResult
}

type lookupResult struct {
	addrs []netip.Addr
	err   error
}

func newNames(r *resolver, host string, addrs []netip.Addr, err error) *names {
	n := &names{r: r, known: map[string]lookupResult{}}
	if len(addrs) > 0 || err != nil {
		n.known[host] = lookupResult{addrs, err}
	}
	return n
}

func (n *names) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	n.mu.Lock()
	known, ok := n.known[host]
	n.mu.Unlock()
	if ok {
		return known.addrs, known.err
	}
	addrs, err := n.r.lookup(ctx, host)
	n.mu.Lock()
	n.known[host] = lookupResult{addrs, err}
	n.mu.Unlock()
	return addrs, err
}

// dialContext is the http.Transport dial function of a fetch: it resolves
// with the helper's resolver and connects only to permitted addresses, so
// that neither a redirect nor a DNS answer can lead the helper to a private
// address. (The dialer's Control hook checks again at connect time.)
func (h *Handler) dialContext(n *names) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		return dialEach(ctx, n, address, func(ap netip.AddrPort) (net.Conn, error) {
			if err := h.guard.check(ap.Addr()); err != nil {
				return nil, err
			}
			return h.dialer(ap.Addr()).DialContext(ctx, "tcp", ap.String())
		})
	}
}

// dialEach resolves the host of address ("host:port") with n and calls
// dial with each of its addresses in turn until one works.
func dialEach[C any](ctx context.Context, n *names, address string, dial func(netip.AddrPort) (C, error)) (C, error) {
	var zero C
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return zero, err
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return zero, err
	}
	addrs, err := n.lookup(ctx, host)
	if err != nil {
		return zero, err
	}
	var errs []error
	for _, a := range addrs {
		conn, err := dial(netip.AddrPortFrom(a, uint16(port)))
		if err == nil {
			return conn, nil
		}
		if errs = append(errs, err); ctx.Err() != nil {
			break
		}
	}
	return zero, firstNetworkError(errs)
}

// firstNetworkError prefers a real network failure over a refusal by the
// guard, so that a site with one private and one dead address reports the
// dead one.
func firstNetworkError(errs []error) error {
	for _, err := range errs {
		if !errors.Is(err, ErrForbiddenAddress) {
			return err
		}
	}
	return errs[0] // lookup never returns an empty list without error
}

// fetch GETs the target page over HTTP(S) with the browser headers the
// probe sent, following redirects and keeping cookies, as oohelperd does.
// It returns the result and the HTTP/3 endpoint the first response
// advertises ("" when none).
func (h *Handler) fetch(ctx context.Context, t *target, headers map[string][]string, n *names) (measurement.ControlHTTPRequest, string) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.HTTPTimeout)
	defer cancel()
	tr := &http.Transport{
		Proxy:                  nil, // never through a proxy from the environment
		DialContext:            h.dialContext(n),
		TLSClientConfig:        &tls.Config{RootCAs: h.cfg.RootCAs},
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    h.cfg.StepTimeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	defer tr.CloseIdleConnections()
	res, resp := h.get(ctx, &http.Client{Transport: tr, Jar: newJar()}, t.URL.String(), headers)
	if resp == nil {
		return res, ""
	}
	return res, discoverH3(resp, t)
}

func newJar() *cookiejar.Jar {
	jar, _ := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List}) // never fails
	return jar
}

// get does one GET with client and reads the body within the limits. It
// also returns the final response (body closed) when there was one.
func (h *Handler) get(ctx context.Context, client *http.Client, rawURL string, headers map[string][]string) (measurement.ControlHTTPRequest, *http.Response) {
	failed := func(err error) (measurement.ControlHTTPRequest, *http.Response) {
		return measurement.ControlHTTPRequest{
			BodyLength: -1,
			StatusCode: -1,
			Headers:    map[string]string{},
			Failure:    httpFailure(failure.Classify(err), failedOperation(err)),
		}, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return failed(err)
	}
	for name, values := range headers {
		switch strings.ToLower(name) {
		case "user-agent", "accept", "accept-language":
			for _, v := range values {
				req.Header.Add(name, v)
			}
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return failed(err)
	}
	defer resp.Body.Close()
	out := measurement.ControlHTTPRequest{
		StatusCode: int64(resp.StatusCode),
		Headers:    make(map[string]string, len(resp.Header)),
	}
	for name := range resp.Header {
		out.Headers[name] = resp.Header.Get(name)
	}
	length, head, err := readBody(resp.Body, h.cfg.MaxBodyBytes)
	out.BodyLength = length
	out.Title = measurement.HTMLTitle(head)
	out.Failure = httpFailure(failure.Classify(err), failure.OpRead)
	return out, resp
}

func failedOperation(err error) string {
	var fe *failure.Error
	if errors.As(err, &fe) {
		return fe.Operation
	}
	return ""
}

// readBody reads at most limit bytes of body, keeping the first
// titleWindow bytes, and returns how many bytes it read.
func readBody(body io.Reader, limit int64) (int64, []byte, error) {
	r := io.LimitReader(body, limit)
	head := make([]byte, 0, 32<<10)
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if room := titleWindow - len(head); room > 0 {
			head = append(head, buf[:min(k, room)]...)
		}
		if err == io.EOF {
			return n, head, nil
		}
		if err != nil {
			return n, head, err
		}
	}
}
