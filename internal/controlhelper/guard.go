package controlhelper

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/sonde-project/sonde/internal/bogon"
)

// ErrForbiddenAddress is returned when the helper is asked to connect to an
// address that is not publicly routable (loopback, private, link-local,
// multicast, documentation, …) and not in the allow-list.
var ErrForbiddenAddress = errors.New("address is not publicly routable and not allowed")

// guard decides which addresses the helper may connect to.
type guard struct {
	allow []netip.Prefix
}

// permits reports whether the helper may connect to addr: a public address,
// or one inside an allow-listed prefix.
func (g guard) permits(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range g.allow {
		if p.Contains(addr) {
			return true
		}
	}
	return !bogon.Is(addr)
}

// check returns ErrForbiddenAddress, wrapped with the address, when addr is
// not permitted.
func (g guard) check(addr netip.Addr) error {
	if g.permits(addr) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrForbiddenAddress, addr)
}

// control is a net.Dialer Control hook: it runs after name resolution,
// right before the socket connects, so it sees the address actually dialed
// whatever path led there (a redirect, a DNS answer, an IP literal).
func (g guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %q", ErrForbiddenAddress, address)
	}
	return g.check(ap.Addr())
}
