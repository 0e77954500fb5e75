package bogon

import (
	"net/netip"
	"testing"
)

func TestIs(t *testing.T) {
	public := []string{
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "2a00:1450:4001::1",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "100.63.255.255", "172.32.0.1",
	}
	special := []string{
		"127.0.0.1", "127.1.2.3", "::1", "10.0.0.1", "10.255.255.255", "172.16.0.1", "192.168.1.1",
		"169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "100.64.0.1", "0.0.0.0", "::",
		"224.0.0.1", "ff02::1", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.7",
		"203.0.113.9", "2001:db8::1", "198.18.0.1", "192.0.0.8", "::ffff:127.0.0.1",
		"::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "64:ff9b:1::1", "100::1", "::127.0.0.1",
	}
	for _, s := range public {
		if Is(netip.MustParseAddr(s)) {
			t.Errorf("%s: want public", s)
		}
	}
	for _, s := range special {
		if !Is(netip.MustParseAddr(s)) {
			t.Errorf("%s: want not public", s)
		}
	}
	if !Is(netip.MustParseAddr("fe80::1%eth0")) || !Is(netip.Addr{}) {
		t.Error("a scoped or invalid address must be a bogon")
	}
}
