package wctest

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// skfNetOff is linux/filter.h's SKF_NET_OFF (-0x100000) as a uint32.
const skfNetOff = 0xfff00000

// DropFrom returns a socket Control hook that attaches a classic BPF
// filter dropping every packet from src before the kernel handles it: on
// a TCP listener the SYNs, so src's connects time out (a black hole); on a
// UDP socket the datagrams. Other sources are served. Unprivileged.
func DropFrom(t testing.TB, src string) func(network, address string, c syscall.RawConn) error {
	addr := netip.MustParseAddr(src).As4()
	return func(network, address string, c syscall.RawConn) error {
		prog := []unix.SockFilter{
			// A = the IPv4 source address: offset 12 of the network header
			// (SKF_NET_OFF), since the data starts at the transport header.
			{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: skfNetOff + 12},
			{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: binary.BigEndian.Uint32(addr[:])},
			{Code: unix.BPF_RET | unix.BPF_K, K: 0},          // drop
			{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff}, // keep
		}
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
				&unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]})
		})
		if err != nil {
			return err
		}
		return serr
	}
}

// CanBlackhole: the black-hole censor works here.
const CanBlackhole = true
