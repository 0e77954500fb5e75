package main

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/sonde-project/sonde/probe/config"
	"github.com/sonde-project/sonde/probe/publicip"
)

// addressesToScrub gathers the addresses that would identify the
// volunteer: the one the collector saw, those lookup services see, and
// the public addresses of the machine's interfaces. An upload needs the
// public address to be known (a volunteer behind NAT has it on no
// interface); a local run warns without it.
func (a *app) addressesToScrub(ctx context.Context, o *runOptions, cf *config.File, s *session) ([]netip.Addr, []string, error) {
	var (
		addrs   []netip.Addr
		sources []string
		known   bool
	)
	if s != nil && s.checkIn.ProbeIP != "" {
		addr, _ := netip.ParseAddr(s.checkIn.ProbeIP) // validated by the check-in
		addrs = append(addrs, addr)
		sources = append(sources, "the collector")
		// Through a proxy, the collector saw the proxy, not the probe.
		known = !s.proxied
	}
	urls := o.publicIPURLs.values
	if len(urls) == 0 && cf.PublicIPURL != "" {
		urls = []string{cf.PublicIPURL}
	}
	for _, u := range urls {
		addr, err := publicip.Lookup(ctx, nil, u)
		if err != nil {
			return nil, nil, fmt.Errorf("%w\nWithout your public IP address the probe cannot remove it from measurements: "+
				"fix --public-ip-url or leave it out", err)
		}
		addrs = append(addrs, addr)
		sources = append(sources, u)
		known = true
	}
	local, err := publicip.Local()
	if err != nil {
		return nil, nil, err
	}
	if len(local) > 0 {
		addrs = append(addrs, local...)
		sources = append(sources, "this computer's interfaces")
	}
	switch {
	case known:
	case s != nil:
		return nil, nil, fmt.Errorf("uploads go through a proxy, so the collector cannot tell the probe your public IP " +
			"address, and the probe must know it to remove it from measurements: give --public-ip-url URL " +
			"(a service answering with your address, reached directly)")
	default:
		fmt.Fprintln(a.stderr, "Warning: your public IP address is unknown (no --public-ip-url), so it is removed only "+
			"where it matches an address of this computer's interfaces. The results stay on this computer "+
			"(--no-upload); check them before you share them.")
	}
	return addrs, sources, nil
}
