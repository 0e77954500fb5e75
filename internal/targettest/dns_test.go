package targettest

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func query(t *testing.T, network, addr, name string, qtype uint16) (*dns.Msg, error) {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 300 * time.Millisecond}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	r, _, err := c.Exchange(q, addr)
	return r, err
}

func TestDNSAnswer(t *testing.T) {
	zone := NewZone(t,
		"example.org. 300 IN A 93.184.215.14",
		"www.example.org. 300 IN CNAME example.org.",
		"example.org. 300 IN HTTPS 1 . alpn=h3,h2",
	)
	s := NewDNSServer(t, Answer(zone))
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			r, err := query(t, network, s.Addr, "WWW.example.org", dns.TypeA)
			if err != nil {
				t.Fatal(err)
			}
			if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 2 {
				t.Fatalf("want CNAME + A, got %v", r)
			}
			if a, ok := r.Answer[1].(*dns.A); !ok || !a.A.Equal(net.ParseIP("93.184.215.14")) {
				t.Fatalf("second answer %v", r.Answer[1])
			}
			r, err = query(t, network, s.Addr, "example.org", dns.TypeHTTPS)
			if err != nil || len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeHTTPS {
				t.Fatalf("HTTPS: %v %v", r, err)
			}
			r, err = query(t, network, s.Addr, "example.org", dns.TypeAAAA)
			if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
				t.Fatalf("no AAAA: want an empty NOERROR, got %v %v", r, err)
			}
			r, err = query(t, network, s.Addr, "nowhere.example", dns.TypeA)
			if err != nil || r.Rcode != dns.RcodeNameError {
				t.Fatalf("unknown name: want NXDOMAIN, got %v %v", r, err)
			}
		})
	}
	if s.Queries() != 8 {
		t.Fatalf("server counted %d queries, want 8", s.Queries())
	}
}

func TestDNSRcode(t *testing.T) {
	for _, rcode := range []int{dns.RcodeNameError, dns.RcodeServerFailure, dns.RcodeRefused} {
		s := NewDNSServer(t, Rcode(rcode))
		r, err := query(t, "udp", s.Addr, "example.org", dns.TypeA)
		if err != nil || r.Rcode != rcode {
			t.Fatalf("rcode %d: got %v %v", rcode, r, err)
		}
	}
}

func TestDNSSilent(t *testing.T) {
	s := NewDNSServer(t, Silent())
	for _, network := range []string{"udp", "tcp"} {
		if _, err := query(t, network, s.Addr, "example.org", dns.TypeA); err == nil {
			t.Fatalf("%s: a silent server answered", network)
		}
	}
}

// TestDNSInject reads both answers off one UDP socket: the forged one
// first, then the real one.
func TestDNSInject(t *testing.T) {
	forged := NewZone(t, "example.org. 60 IN A 10.10.34.35")
	real := NewZone(t, "example.org. 300 IN A 93.184.215.14")
	s := NewDNSServer(t, Inject(forged, real, 50*time.Millisecond))
	conn, err := net.Dial("udp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeA)
	packed, _ := q.Pack()
	if _, err := conn.Write(packed); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	var got []string
	buf := make([]byte, 1500)
	for range 2 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		r := new(dns.Msg)
		if err := r.Unpack(buf[:n]); err != nil || len(r.Answer) != 1 {
			t.Fatalf("reply %v %v", r, err)
		}
		got = append(got, r.Answer[0].(*dns.A).A.String())
	}
	if got[0] != "10.10.34.35" || got[1] != "93.184.215.14" {
		t.Fatalf("answers in order %v, want forged then real", got)
	}
	// Over TCP only the real answer comes.
	r, err := query(t, "tcp", s.Addr, "example.org", dns.TypeA)
	if err != nil || r.Answer[0].(*dns.A).A.String() != "93.184.215.14" {
		t.Fatalf("tcp: %v %v", r, err)
	}
}

// TestDNSCloseDuringDelay: Close does not wait out a pending delay.
func TestDNSCloseDuringDelay(t *testing.T) {
	zone := NewZone(t, "example.org. 60 IN A 192.0.2.1")
	s := NewDNSServer(t, Inject(zone, zone, time.Hour))
	if _, err := query(t, "udp", s.Addr, "example.org", dns.TypeA); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the delayed reply")
	}
}
