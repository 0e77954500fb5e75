package censor

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Engine is the censor's on-path packet engine: it reads what the probe
// sends (a copy: the kernel forwards the original), and injects forged
// DNS answers, TCP resets and blockpages that race the real answers.
type Engine struct {
	policy *Policy
	client *packetSocket // on the probe side: reads, and injects towards the probe
	server *packetSocket // on the Internet side: injects towards servers
	// serverMAC is the next hop towards the Internet.
	serverMAC net.HardwareAddr
	log       *slog.Logger
	trace     *tracer
	throttle  func(flowKey, int) // adds a flow to throttle i; nil without SNI throttles

	flows flowTable
	stats Stats
	mu    sync.Mutex
}

// Stats counts what the engine did.
type Stats struct {
	Packets, DNSInjected, RSTInjected, PagesInjected, Throttled int
}

// Stats returns a copy of the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

func (e *Engine) count(f func(*Stats)) {
	e.mu.Lock()
	f(&e.stats)
	e.mu.Unlock()
}

// Run reads and acts until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	buf := make([]byte, 1<<16+64)
	var (
		eth     layers.Ethernet
		ip      layers.IPv4
		tcp     layers.TCP
		udp     layers.UDP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip, &tcp, &udp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 5)
	for ctx.Err() == nil {
		n, err := e.client.read(buf, 200*time.Millisecond)
		if err == errTimeout {
			continue
		}
		if err != nil {
			return err
		}
		if err := parser.DecodeLayers(buf[:n], &decoded); err != nil {
			continue
		}
		e.count(func(s *Stats) { s.Packets++ })
		for _, l := range decoded {
			switch l {
			case layers.LayerTypeUDP:
				if udp.DstPort == 53 {
					e.onDNS(&eth, &ip, &udp)
				}
			case layers.LayerTypeTCP:
				e.onTCP(&eth, &ip, &tcp)
			}
		}
	}
	return nil
}

func (e *Engine) onDNS(eth *layers.Ethernet, ip *layers.IPv4, udp *layers.UDP) {
	if len(e.policy.Inject) == 0 {
		return
	}
	var q layers.DNS
	if err := q.DecodeFromBytes(udp.Payload, gopacket.NilDecodeFeedback); err != nil || q.QR || len(q.Questions) != 1 {
		return
	}
	qq := q.Questions[0]
	if qq.Type != layers.DNSTypeA || qq.Class != layers.DNSClassIN {
		return
	}
	answer, ok := e.policy.injectFor(string(qq.Name))
	if !ok {
		return
	}
	frame, err := forgeDNSAnswer(eth, ip, udp, &q, answer)
	if err != nil {
		e.log.Warn("forge DNS answer", "err", err)
		return
	}
	e.inject(e.client, frame)
	e.count(func(s *Stats) { s.DNSInjected++ })
	e.log.Info("injected DNS answer", "name", string(qq.Name), "answer", answer.String())
}

func (e *Engine) onTCP(eth *layers.Ethernet, ip *layers.IPv4, tcp *layers.TCP) {
	if !e.policy.watchesTCP() {
		return
	}
	key := keyOf(ip, tcp)
	if tcp.SYN || tcp.RST || tcp.FIN && len(tcp.Payload) == 0 {
		// A new connection (the port may be reused) or the end of one.
		e.flows.drop(key)
		return
	}
	if len(tcp.Payload) == 0 {
		return
	}
	f := e.flows.get(key, tcp.Seq, time.Now())
	if f == nil {
		return
	}
	switch f.state {
	case flowReset:
		e.reset(eth, ip, tcp) // a retransmission: reset again, as the GFW does
		return
	case flowDone:
		return
	}
	if !f.add(tcp.Seq, tcp.Payload) {
		return
	}
	e.decide(f, eth, ip, tcp)
}

// decide looks at a flow's first bytes once they suffice.
func (e *Engine) decide(f *flow, eth *layers.Ethernet, ip *layers.IPv4, tcp *layers.TCP) {
	port := uint16(tcp.DstPort)
	switch {
	case looksTLS(f.buf):
		sni, err := parseSNI(f.buf)
		if err == errIncomplete && len(f.buf) < maxFirstBytes {
			return
		}
		f.state = flowDone
		if err != nil || sni == "" {
			return
		}
		if matchAny(e.policy.RSTSNI, sni, port) {
			f.state = flowReset
			e.reset(eth, ip, tcp)
			e.log.Info("reset TLS connection", "sni", sni)
			return
		}
		if i := e.policy.throttleFor(sni); i >= 0 && e.throttle != nil {
			e.throttle(f.key, i)
			e.count(func(s *Stats) { s.Throttled++ })
			e.log.Info("throttling TLS connection", "sni", sni)
		}
	case looksHTTP(f.buf):
		host, err := parseHost(f.buf)
		if err == errIncomplete {
			return
		}
		f.state = flowDone
		if err != nil || host == "" {
			return
		}
		if matchAny(e.policy.PageHost, host, port) {
			e.blockpage(eth, ip, tcp)
			e.log.Info("injected blockpage", "host", host)
			return
		}
		if matchAny(e.policy.RSTHost, host, port) {
			f.state = flowReset
			e.reset(eth, ip, tcp)
			e.log.Info("reset HTTP connection", "host", host)
		}
	default:
		f.state = flowDone
	}
}

// reset injects a RST to the client (as the server) and to the server (as
// the client), in the sequence space of the segment just seen.
func (e *Engine) reset(eth *layers.Ethernet, ip *layers.IPv4, tcp *layers.TCP) {
	next := tcp.Seq + uint32(len(tcp.Payload))
	toClient := segment{srcMAC: e.client.mac, dstMAC: eth.SrcMAC, srcIP: ip.DstIP, dstIP: ip.SrcIP,
		srcPort: tcp.DstPort, dstPort: tcp.SrcPort, seq: tcp.Ack, ack: next, rst: true}
	toServer := segment{srcMAC: e.server.mac, dstMAC: e.serverMAC, srcIP: ip.SrcIP, dstIP: ip.DstIP,
		srcPort: tcp.SrcPort, dstPort: tcp.DstPort, seq: next, ack: tcp.Ack, rst: true}
	if f, err := forgeTCP(toClient); err == nil {
		e.inject(e.client, f)
	}
	if f, err := forgeTCP(toServer); err == nil {
		e.inject(e.server, f)
	}
	e.count(func(s *Stats) { s.RSTInjected++ })
}

// blockpage injects the blockpage as the server's answer, closing the
// stream, then resets the server's side.
func (e *Engine) blockpage(eth *layers.Ethernet, ip *layers.IPv4, tcp *layers.TCP) {
	body := e.policy.Blockpage
	resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		len(body), body)
	next := tcp.Seq + uint32(len(tcp.Payload))
	base := segment{srcMAC: e.client.mac, dstMAC: eth.SrcMAC, srcIP: ip.DstIP, dstIP: ip.SrcIP,
		srcPort: tcp.DstPort, dstPort: tcp.SrcPort, seq: tcp.Ack, ack: next}
	frames, err := forgeResponse(base, []byte(resp))
	if err != nil {
		e.log.Warn("forge blockpage", "err", err)
		return
	}
	for _, f := range frames {
		e.inject(e.client, f)
	}
	toServer := segment{srcMAC: e.server.mac, dstMAC: e.serverMAC, srcIP: ip.SrcIP, dstIP: ip.DstIP,
		srcPort: tcp.SrcPort, dstPort: tcp.DstPort, seq: next, ack: tcp.Ack, rst: true}
	if f, err := forgeTCP(toServer); err == nil {
		e.inject(e.server, f)
	}
	e.count(func(s *Stats) { s.PagesInjected++ })
}

func (e *Engine) inject(s *packetSocket, frame []byte) {
	if err := s.write(frame); err != nil {
		e.log.Warn("inject", "err", err)
		return
	}
	e.trace.record(frame)
}

// flowKey identifies a TCP connection by the client's view.
type flowKey struct {
	client, server netip.AddrPort
}

func keyOf(ip *layers.IPv4, tcp *layers.TCP) flowKey {
	c, _ := netip.AddrFromSlice(ip.SrcIP.To4())
	s, _ := netip.AddrFromSlice(ip.DstIP.To4())
	return flowKey{netip.AddrPortFrom(c, uint16(tcp.SrcPort)), netip.AddrPortFrom(s, uint16(tcp.DstPort))}
}
