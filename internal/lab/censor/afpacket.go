package censor

import (
	"errors"
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// packetSocket is an AF_PACKET socket on one interface: the censor's view
// of the wire and its way to inject frames.
//
// gopacket's pcapgo.EthernetHandle (v1.1.19) reads AF_PACKET too, but it
// cannot write and its reads cannot be interrupted, so the engine could
// not stop cleanly; this socket polls with a timeout instead.
type packetSocket struct {
	fd      int
	ifindex int
	mac     net.HardwareAddr
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// openPacket opens a socket on ifname. With receive, it sees every frame
// arriving on the interface (not those leaving it); without, it only sends.
func openPacket(ifname string, receive bool) (*packetSocket, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("censor interface: %w", err)
	}
	proto := 0
	if receive {
		proto = int(htons(unix.ETH_P_ALL))
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("packet socket on %s (needs CAP_NET_RAW): %w", ifname, err)
	}
	s := &packetSocket{fd: fd, ifindex: ifi.Index, mac: ifi.HardwareAddr}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: uint16(proto), Ifindex: ifi.Index}); err != nil {
		s.Close()
		return nil, fmt.Errorf("packet socket on %s: %w", ifname, err)
	}
	if receive {
		if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
			s.Close()
			return nil, fmt.Errorf("packet socket on %s: %w", ifname, err)
		}
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
	return s, nil
}

var errTimeout = errors.New("no packet")

// read waits up to timeout for a frame and copies it into buf.
func (s *packetSocket) read(buf []byte, timeout time.Duration) (int, error) {
	fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(timeout.Milliseconds()))
	if errors.Is(err, unix.EINTR) || n == 0 {
		return 0, errTimeout
	}
	if err != nil {
		return 0, fmt.Errorf("poll packet socket: %w", err)
	}
	m, _, err := unix.Recvfrom(s.fd, buf, unix.MSG_DONTWAIT)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
		return 0, errTimeout
	}
	if err != nil {
		return 0, fmt.Errorf("read packet socket: %w", err)
	}
	return min(m, len(buf)), nil
}

// write sends an Ethernet frame on the interface.
func (s *packetSocket) write(frame []byte) error {
	if len(frame) < 14 {
		return errors.New("frame too short")
	}
	sa := &unix.SockaddrLinklayer{Ifindex: s.ifindex, Halen: 6, Protocol: htons(unix.ETH_P_IP)}
	copy(sa.Addr[:], frame[:6])
	if err := unix.Sendto(s.fd, frame, 0, sa); err != nil {
		return fmt.Errorf("inject on interface %d: %w", s.ifindex, err)
	}
	return nil
}

func (s *packetSocket) Close() error { return unix.Close(s.fd) }
