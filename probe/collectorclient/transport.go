package collectorclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/proxy"
)

// NewHTTPClient returns the HTTP client the probe uses to reach its
// collector: through proxyURL when not empty ("socks5://127.0.0.1:9050",
// "http://proxy:3128"), trusting roots when not nil (the system's
// otherwise), never following redirects, with deadlines on dialing, TLS
// and headers. Proxy settings from the environment are ignored: the
// volunteer says on the command line which way uploads go.
func NewHTTPClient(proxyURL string, roots *x509.CertPool) (*http.Client, error) {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          4,
		ForceAttemptHTTP2:     true,
	}
	if proxyURL != "" {
		u, err := ParseProxy(proxyURL)
		if err != nil {
			return nil, err
		}
		switch u.Scheme {
		case "http", "https":
			tr.Proxy = http.ProxyURL(u)
		default:
			d, err := proxy.FromURL(u, dialer)
			if err != nil {
				return nil, fmt.Errorf("--proxy: %w", err)
			}
			cd, ok := d.(proxy.ContextDialer)
			if !ok {
				return nil, errors.New("--proxy: this SOCKS dialer does not support deadlines")
			}
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				return cd.DialContext(ctx, network, addr)
			}
		}
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}

// ParseProxy checks a --proxy value: socks5, socks5h, http or https, with
// a host and a port.
func ParseProxy(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("--proxy %q is not a URL", s)
	}
	switch u.Scheme {
	case "socks5", "socks5h", "http", "https":
	default:
		return nil, fmt.Errorf("--proxy %q: use socks5://HOST:PORT or http://HOST:PORT", s)
	}
	if u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("--proxy %q: give a host and a port, as in socks5://127.0.0.1:9050", s)
	}
	return u, nil
}
