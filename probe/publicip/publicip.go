// Package publicip finds the addresses that would identify the volunteer
// in a measurement, so that the runner can scrub them: the public address
// a lookup service sees, and the public addresses of the machine's own
// interfaces (a server or an IPv6 host has them on its interfaces; a
// laptop behind NAT only has the first).
package publicip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// maxAnswer bounds a lookup service's answer.
const maxAnswer = 1024

// Lookup asks the service at u which address the request came from. The
// answer is the address as plain text, or JSON with an "ip" field (as
// https://api.ipify.org?format=json answers). The request goes directly,
// never through a proxy: through one, the service would see the proxy.
// client may be nil.
func Lookup(ctx context.Context, client *http.Client, u string) (netip.Addr, error) {
	if err := CheckURL(u); err != nil {
		return netip.Addr{}, err
	}
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: nil, TLSHandshakeTimeout: 15 * time.Second}}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %w", err)
	}
	req.Header.Set("Accept", "text/plain, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %s answered %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %w", err)
	}
	if len(body) > maxAnswer {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %s answered more than %d bytes", u, maxAnswer)
	}
	return ParseAnswer(body)
}

// ParseAnswer reads a lookup service's answer: an address as text, or a
// JSON object whose "ip" field is one.
func ParseAnswer(body []byte) (netip.Addr, error) {
	text := strings.TrimSpace(string(body))
	if strings.HasPrefix(text, "{") {
		var v struct {
			IP string `json:"ip"`
		}
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return netip.Addr{}, fmt.Errorf("public IP lookup: the answer is not JSON with an ip field: %w", err)
		}
		text = v.IP
	}
	a, err := netip.ParseAddr(text)
	if err != nil {
		return netip.Addr{}, errors.New("public IP lookup: the answer is not an IP address")
	}
	a = a.Unmap().WithZone("")
	if a.IsUnspecified() || a.IsLoopback() || a.IsMulticast() {
		return netip.Addr{}, fmt.Errorf("public IP lookup: %s cannot be a public address", a)
	}
	return a, nil
}

// CheckURL accepts an http or https URL for a lookup service.
func CheckURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("--public-ip-url %q: give an http or https URL", u)
	}
	return nil
}

// IsPublic reports whether a can identify a host on the Internet: a
// global unicast address outside the private ranges (RFC 1918, fc00::/7).
func IsPublic(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate()
}

// Local returns the public addresses of this machine's interfaces.
func Local() ([]netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("listing interface addresses: %w", err)
	}
	var out []netip.Addr
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		if ip := p.Addr().Unmap().WithZone(""); IsPublic(ip) {
			out = append(out, ip)
		}
	}
	return out, nil
}
