// Package check is a set of small, real network clients that look at the
// lab from the probe's side: a DNS query that keeps listening for late
// answers, a TLS handshake, an HTTP GET, an HTTP/3 GET and a timed
// download. The lab's tests run them inside the probe namespace (see
// lab.Lab.Check) to verify each censorship technique; `censorlab check`
// runs them by hand. Failures are classified with internal/failure, as the
// probe does.
package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"time"

	"github.com/miekg/dns"
	"github.com/quic-go/quic-go/http3"

	"github.com/sonde-project/sonde/internal/failure"
)

// Kinds of checks.
const (
	DNS      = "dns"      // query Name (A) at Server; collect every answer for Listen
	TLS      = "tls"      // TLS handshake with Addr, SNI Name
	HTTP     = "http"     // GET URL (dialling Addr when set)
	HTTP3    = "http3"    // GET URL over HTTP/3 (to Addr when set)
	Download = "download" // GET URL, read the whole body, time it
)

// Request is one check. Unset fields take the defaults noted.
type Request struct {
	Kind string `json:"kind"`
	// Name is the DNS name (dns) or the SNI (tls).
	Name string `json:"name,omitempty"`
	// Server is the DNS server, ip:port (dns).
	Server string `json:"server,omitempty"`
	// URL is what http, http3 and download fetch.
	URL string `json:"url,omitempty"`
	// Addr is the ip:port to connect to instead of resolving (tls: REQUIRED).
	Addr string `json:"addr,omitempty"`
	// CAFile is the CA to trust (PEM). OPTIONAL: the system's.
	CAFile string `json:"ca_file,omitempty"`
	// Timeout bounds the check. OPTIONAL: 5s.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Listen is how long dns keeps listening for more answers. OPTIONAL: 1s.
	Listen time.Duration `json:"listen,omitempty"`
}

// Result is what a check saw.
type Result struct {
	Kind string `json:"kind"`
	// Failure is the classified failure ("" on success).
	Failure string `json:"failure,omitempty"`
	// Answers are the DNS answers, in arrival order.
	Answers []Answer `json:"answers,omitempty"`
	// Status, Title and Body describe an HTTP answer (Body: first 4 KiB).
	Status int    `json:"status,omitempty"`
	Title  string `json:"title,omitempty"`
	Body   string `json:"body,omitempty"`
	// Bytes and Elapsed measure a download.
	Bytes   int64         `json:"bytes,omitempty"`
	Elapsed time.Duration `json:"elapsed,omitempty"`
}

// Answer is one DNS response.
type Answer struct {
	Addrs []string      `json:"addrs"`
	After time.Duration `json:"after"`
}

// Rate is the download's rate in bytes per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Elapsed.Seconds()
}

// Run runs the check; a network failure is in the Result, never an error.
func Run(ctx context.Context, req Request) Result {
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res := Result{Kind: req.Kind}
	var err error
	switch req.Kind {
	case DNS:
		res.Answers, err = queryAll(ctx, req)
	case TLS:
		err = handshake(ctx, req)
	case HTTP, Download:
		err = get(ctx, req, &res, false)
	case HTTP3:
		err = get(ctx, req, &res, true)
	default:
		err = fmt.Errorf("unknown check kind %q", req.Kind)
	}
	if err != nil {
		res.Failure = failure.Classify(err)
	}
	return res
}

func queryAll(ctx context.Context, req Request) ([]Answer, error) {
	listen := req.Listen
	if listen <= 0 {
		listen = time.Second
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", req.Server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(req.Name), dns.TypeA)
	packed, err := m.Pack()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if _, err := conn.Write(packed); err != nil {
		return nil, err
	}
	deadline := start.Add(listen)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetReadDeadline(deadline)
	var answers []Answer
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if len(answers) > 0 {
				return answers, nil
			}
			return nil, err
		}
		var r dns.Msg
		if r.Unpack(buf[:n]) != nil || r.Id != m.Id {
			continue
		}
		a := Answer{After: time.Since(start), Addrs: []string{}}
		for _, rr := range r.Answer {
			if ar, ok := rr.(*dns.A); ok {
				a.Addrs = append(a.Addrs, ar.A.String())
			}
		}
		answers = append(answers, a)
	}
}

func tlsConfig(req Request, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
	if req.CAFile != "" {
		pem, err := os.ReadFile(req.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("no certificate in the CA file")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func handshake(ctx context.Context, req Request) error {
	cfg, err := tlsConfig(req, req.Name)
	if err != nil {
		return err
	}
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", req.Addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

var titleRE = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

func get(ctx context.Context, req Request, res *Result, h3 bool) error {
	u, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return err
	}
	cfg, err := tlsConfig(req, u.URL.Hostname())
	if err != nil {
		return err
	}
	var rt http.RoundTripper
	if h3 {
		t := &http3.Transport{TLSClientConfig: cfg}
		defer t.Close()
		if req.Addr != "" {
			u.URL.Host = req.Addr
			u.Host = u.URL.Hostname()
		}
		rt = t
	} else {
		var d net.Dialer
		t := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if req.Addr != "" {
					addr = req.Addr
				}
				return d.DialContext(ctx, network, addr)
			}}
		defer t.CloseIdleConnections()
		rt = t
	}
	start := time.Now()
	resp, err := rt.RoundTrip(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	if req.Kind == Download {
		res.Bytes, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<30))
		res.Elapsed = time.Since(start)
		return err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	res.Body = string(body)
	if m := titleRE.FindSubmatch(body); m != nil {
		res.Title = string(m[1])
	}
	return err
}
