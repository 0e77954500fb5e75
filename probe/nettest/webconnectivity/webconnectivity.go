package webconnectivity

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sonde-project/sonde/internal/failure"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/probe/nettest"
	"github.com/sonde-project/sonde/probe/netx"
)

// Name and version of the test, as OONI names it.
const (
	Name    = "web_connectivity"
	Version = "0.5.0"
)

// Errors for inputs and options the test cannot measure with.
var (
	ErrInput      = errors.New("web_connectivity measures an http:// or https:// URL")
	ErrOption     = errors.New("web_connectivity option")
	errNoResolver = fmt.Errorf("%w: system_resolver=false needs another resolver (-r udp://…, tls://…, https://…)", ErrOption)
)

// Measurer is web_connectivity. The zero value is ready to use.
type Measurer struct {
	// DNSLateWindow is how long a UDP resolver listens for late answers
	// (see netx.Config). OPTIONAL: netx's default.
	DNSLateWindow time.Duration
}

// Name implements nettest.Measurer.
func (*Measurer) Name() string { return Name }

// Version implements nettest.Measurer.
func (*Measurer) Version() string { return Version }

// options are the test's -O settings.
type options struct {
	system bool // resolve with the system resolver too
	quic   bool // measure HTTP/3 when the target advertises it
}

func parseOptions(env map[string]string) (options, error) {
	o := options{system: true, quic: true}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var target *bool
		switch k {
		case "system_resolver":
			target = &o.system
		case "quic":
			target = &o.quic
		default:
			return o, fmt.Errorf("%w: unknown option %q (known: system_resolver, quic)", ErrOption, k)
		}
		v, err := strconv.ParseBool(env[k])
		if err != nil {
			return o, fmt.Errorf("%w: %s=%q: want true or false", ErrOption, k, env[k])
		}
		*target = v
	}
	return o, nil
}

func parseInput(input string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(input))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("%w, not %q", ErrInput, input)
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return nil, fmt.Errorf("%w: %q has an invalid port", ErrInput, input)
	}
	return u, nil
}

// port is the URL's port or its scheme's.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// Measure implements nettest.Measurer: input is the URL to measure.
func (m *Measurer) Measure(ctx context.Context, env *nettest.Env, input string) (*nettest.Result, error) {
	opts, err := parseOptions(env.Options)
	if err != nil {
		return nil, err
	}
	u, err := parseInput(input)
	if err != nil {
		return nil, err
	}
	cfg := netx.ConfigFromEnv(env)
	if m.DNSLateWindow != 0 {
		cfg.DNSLateWindow = m.DNSLateWindow
	}
	n, err := netx.New(cfg)
	if err != nil {
		return nil, err
	}
	rs, err := resolvers(n, env.Resolver, opts.system)
	if err != nil {
		n.Close()
		return nil, err
	}
	host := u.Hostname()
	ip, ipErr := netip.ParseAddr(host)
	hostIsIP := ipErr == nil

	// DNS, then at once: the control, and the probe's connections.
	var addrs []string
	var dnsFailure string
	if hostIsIP {
		addrs = []string{ip.Unmap().String()}
	} else {
		l := runLookup(ctx, rs, host)
		addrs, dnsFailure = l.addrs, l.failure
	}
	ctrlDone := make(chan struct{})
	var (
		ctrl        *measurement.ControlResponse
		ctrlFailure string
	)
	go func() {
		defer close(ctrlDone)
		c := newControlClient(env.ControlURL, env.RootCAs, controlTimeout(env.Timeout()))
		ctrl, ctrlFailure = c.query(ctx, controlRequest(u, addrs))
	}()
	usable := connectAll(ctx, n, addrs, port(u), u.Scheme == "https", host)
	if len(usable) > 0 {
		fetch(ctx, n, u, usable[0])
	}
	<-ctrlDone

	tk := &TestKeys{WebTestKeys: measurement.WebTestKeys{
		Agent: "redirect", DNSExperimentFailure: failure.Ptr(dnsFailure),
		ControlFailure: failure.Ptr(ctrlFailure), Control: ctrl,
	}}
	tk.Steps = n.Steps()
	if h3 := h3Endpoint(&tk.WebTestKeys, u); h3 != "" && opts.quic && len(usable) > 0 {
		measureH3(ctx, n, u, addrs, h3)
	}
	n.Close() // waits for late DNS answers
	tk.Steps = n.Steps()
	tk.Requests = orderRequests(tk.Requests)
	analyse(tk, u, hostIsIP)
	res := &nettest.Result{TestKeys: tk, Blocking: tk.Blocking, Failure: topFailure(&tk.WebTestKeys)}
	if env.ControlURL != "" {
		res.TestHelpers = map[string]any{"backend": map[string]string{"address": env.ControlURL, "type": "https"}}
	}
	return res, nil
}

// controlTimeout is how long the control may take: it does the same work
// as the probe, and more (every address, two ports for http).
func controlTimeout(step time.Duration) time.Duration {
	return min(max(4*step, 15*time.Second), 60*time.Second)
}

// controlRequest asks the control to measure u and the addresses the
// probe resolved, with the headers the probe sends.
func controlRequest(u *url.URL, addrs []string) measurement.ControlRequest {
	req := measurement.ControlRequest{
		HTTPRequest: u.String(),
		HTTPRequestHeaders: map[string][]string{
			"User-Agent":      {netx.DefaultUserAgent},
			"Accept":          {"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
			"Accept-Language": {"en-US,en;q=0.9"},
		},
		TCPConnect:   []string{},
		XQUICEnabled: true,
	}
	for _, a := range addrs {
		req.TCPConnect = append(req.TCPConnect, net.JoinHostPort(a, port(u)))
	}
	return req
}

// analyse fills the comparison keys, x_endpoints and the verdict.
func analyse(tk *TestKeys, u *url.URL, hostIsIP bool) {
	w := &tk.WebTestKeys
	final := finalRequest(w)
	if final != nil {
		w.HTTPExperimentFailure = final.Failure
	}
	var resp *measurement.HTTPResponse
	if final != nil && final.Failure == nil {
		resp = &final.Response
	}
	w.DNSConsistency = dnsConsistency(hostIsIP, answersByResolver(u.Hostname(), w.Queries), w.Control)
	w.BodyLengthMatch, w.BodyProportion = bodyLengthMatch(resp, w.Control)
	w.StatusCodeMatch = statusCodeMatch(resp, w.Control)
	w.HeadersMatch = headersMatch(resp, w.Control)
	w.TitleMatch = titleMatch(resp, w.Control)
	markBlockedConnects(w)
	tk.Endpoints = summarize(w, u.Hostname(), hostIsIP, port(u))
	v := decide(w, tk.Endpoints)
	w.Blocking, w.Accessible, w.XBlockingFlags = v.blocking, v.accessible, v.flags
}

// markBlockedConnects sets tcp_connect[].status.blocked as OONI's probes
// do: the probe failed where the control connected.
func markBlockedConnects(w *measurement.WebTestKeys) {
	if w.Control == nil {
		return
	}
	for i := range w.TCPConnect {
		c := &w.TCPConnect[i]
		r, ok := w.Control.TCPConnect[net.JoinHostPort(canonical(c.IP), strconv.Itoa(c.Port))]
		if !ok || hasTag(c.Tags, tagResolver) {
			continue
		}
		b := c.Status.Failure != nil && r.Status
		c.Status.Blocked = &b
	}
}

// topFailure is the failure the volunteer's summary shows.
func topFailure(w *measurement.WebTestKeys) string {
	for _, f := range []*string{w.DNSExperimentFailure, w.HTTPExperimentFailure, w.ControlFailure} {
		if f != nil {
			return *f
		}
	}
	return ""
}
