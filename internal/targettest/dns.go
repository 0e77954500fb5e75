package targettest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// DNSReply is one message a DNS server sends back, after Delay.
type DNSReply struct {
	Delay time.Duration
	Msg   *dns.Msg
}

// DNSBehavior decides what a DNS server sends back for one query: nothing
// (silence), one reply, or several (an injector's forged reply, then the
// real one). Over TCP only the last reply is sent, without delay: a TCP
// client reads one answer per query.
type DNSBehavior func(query *dns.Msg) []DNSReply

// Zone holds resource records by owner name (lowercase, fully qualified).
type Zone map[string][]dns.RR

// NewZone parses records in zone-file syntax, one per string:
//
//	"example.org. 300 IN A 93.184.215.14"
//	"www.example.org. 300 IN CNAME example.org."
//	"example.org. 300 IN HTTPS 1 . alpn=h3,h2 ipv4hint=93.184.215.14"
func NewZone(tb T, records ...string) Zone {
	tb.Helper()
	z := Zone{}
	for _, text := range records {
		rr, err := dns.NewRR(text)
		if err != nil || rr == nil {
			tb.Fatalf("targettest: bad record %q: %v", text, err)
		}
		name := strings.ToLower(rr.Header().Name)
		z[name] = append(z[name], rr)
	}
	return z
}

// Answer answers from zone as an authoritative server does: the records of
// the asked type, following CNAMEs within the zone; NXDOMAIN for a name
// the zone does not hold; an empty NOERROR answer for a name that has no
// record of that type (what a client reports as dns_no_answer).
func Answer(zone Zone) DNSBehavior {
	return func(q *dns.Msg) []DNSReply {
		return []DNSReply{{Msg: zone.reply(q)}}
	}
}

// Inject sends forged's answer at once and real's answer after delay: the
// race that on-path injectors (the Great Firewall, for one) win, and that a
// client listening on after its first answer can see.
func Inject(forged, real Zone, delay time.Duration) DNSBehavior {
	return func(q *dns.Msg) []DNSReply {
		return []DNSReply{{Msg: forged.reply(q)}, {Delay: delay, Msg: real.reply(q)}}
	}
}

// Silent never answers: the client times out.
func Silent() DNSBehavior {
	return func(*dns.Msg) []DNSReply { return nil }
}

// Rcode answers every query with an empty reply carrying rcode
// (dns.RcodeNameError for NXDOMAIN, dns.RcodeServerFailure,
// dns.RcodeRefused).
func Rcode(rcode int) DNSBehavior {
	return func(q *dns.Msg) []DNSReply {
		m := new(dns.Msg)
		m.SetRcode(q, rcode)
		return []DNSReply{{Msg: m}}
	}
}

func (z Zone) reply(q *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	if len(q.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		return m
	}
	name, qtype := strings.ToLower(q.Question[0].Name), q.Question[0].Qtype
	if _, ok := z[name]; !ok {
		m.Rcode = dns.RcodeNameError
		return m
	}
	for hops := 0; hops < 8; hops++ {
		var cname string
		for _, rr := range z[name] {
			switch {
			case rr.Header().Rrtype == qtype:
				m.Answer = append(m.Answer, rr)
			case rr.Header().Rrtype == dns.TypeCNAME:
				m.Answer = append(m.Answer, rr)
				cname = strings.ToLower(rr.(*dns.CNAME).Target)
			}
		}
		if cname == "" || qtype == dns.TypeCNAME {
			break
		}
		name = cname
	}
	return m
}

// DNSServer is a DNS server on loopback, UDP and TCP on the same port.
type DNSServer struct {
	// Addr is "127.0.0.1:PORT", for UDP and TCP alike.
	Addr string

	behave  DNSBehavior
	udp     *dns.Server
	tcp     *dns.Server
	done    chan struct{}
	once    sync.Once
	queries atomic.Int64
}

// NewDNSServer starts a DNS server that replies as behave says.
func NewDNSServer(tb T, behave DNSBehavior) *DNSServer {
	tb.Helper()
	pc, ln, err := listenUDPAndTCP()
	if err != nil {
		tb.Fatalf("targettest: DNS server: %v", err)
	}
	s := &DNSServer{Addr: pc.LocalAddr().String(), behave: behave, done: make(chan struct{})}
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serveUDP)}
	s.tcp = &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.serveTCP)}
	started := make(chan struct{}, 2)
	s.udp.NotifyStartedFunc = func() { started <- struct{}{} }
	s.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go s.udp.ActivateAndServe() //nolint:errcheck // ends at Shutdown
	go s.tcp.ActivateAndServe() //nolint:errcheck // ends at Shutdown
	<-started
	<-started
	tb.Cleanup(s.Close)
	return s
}

// listenUDPAndTCP binds UDP and TCP on the same loopback port. The kernel
// picks a free UDP port, which may be taken for TCP: then it tries again.
func listenUDPAndTCP() (net.PacketConn, net.Listener, error) {
	var err error
	for range 20 {
		var pc net.PacketConn
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		var ln net.Listener
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			return pc, ln, nil
		}
		pc.Close()
	}
	return nil, nil, fmt.Errorf("no port free for both UDP and TCP: %w", err)
}

// Queries returns how many queries the server has received.
func (s *DNSServer) Queries() int { return int(s.queries.Load()) }

// Close stops the server and waits for its handlers, delayed replies
// included (they are abandoned at once).
func (s *DNSServer) Close() {
	s.once.Do(func() {
		close(s.done)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.udp != nil {
			s.udp.ShutdownContext(ctx) //nolint:errcheck // best effort in cleanup
		}
		s.tcp.ShutdownContext(ctx) //nolint:errcheck // best effort in cleanup
	})
}

func (s *DNSServer) serveUDP(w dns.ResponseWriter, q *dns.Msg) {
	s.queries.Add(1)
	for _, r := range s.behave(q) {
		if r.Delay > 0 {
			select {
			case <-time.After(r.Delay):
			case <-s.done:
				return
			}
		}
		if w.WriteMsg(r.Msg) != nil {
			return
		}
	}
}

func (s *DNSServer) serveTCP(w dns.ResponseWriter, q *dns.Msg) {
	s.queries.Add(1)
	replies := s.behave(q)
	if len(replies) == 0 {
		<-s.done // silent: hold the connection until Close
		return
	}
	w.WriteMsg(replies[len(replies)-1].Msg) //nolint:errcheck // the client may be gone
}
