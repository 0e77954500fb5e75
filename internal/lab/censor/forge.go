package censor

import (
	"math/rand/v2"
	"net"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Forging of packets with gopacket: each function returns a whole
// Ethernet frame with lengths and checksums computed.

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

func ipv4(src, dst net.IP, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: uint16(rand.UintN(1 << 16)),
		Flags: layers.IPv4DontFragment, Protocol: proto, SrcIP: src, DstIP: dst}
}

// forgeDNSAnswer answers query (received from the client in eth/ip/udp)
// with an A record for answer, as if from the resolver it was sent to.
func forgeDNSAnswer(eth *layers.Ethernet, ip *layers.IPv4, udp *layers.UDP, query *layers.DNS, answer netip.Addr) ([]byte, error) {
	resp := &layers.DNS{
		ID: query.ID, QR: true, OpCode: layers.DNSOpCodeQuery, RD: query.RD, RA: true,
		ResponseCode: layers.DNSResponseCodeNoErr, Questions: query.Questions,
	}
	q := query.Questions[0]
	resp.Answers = []layers.DNSResourceRecord{{
		Name: q.Name, Type: layers.DNSTypeA, Class: layers.DNSClassIN,
		TTL: 60 + rand.Uint32N(240), IP: net.IP(answer.AsSlice()),
	}}
	oip := ipv4(ip.DstIP, ip.SrcIP, layers.IPProtocolUDP)
	oudp := &layers.UDP{SrcPort: udp.DstPort, DstPort: udp.SrcPort}
	if err := oudp.SetNetworkLayerForChecksum(oip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, serializeOpts,
		&layers.Ethernet{SrcMAC: eth.DstMAC, DstMAC: eth.SrcMAC, EthernetType: layers.EthernetTypeIPv4},
		oip, oudp, resp)
	return buf.Bytes(), err
}

// segment describes one forged TCP segment.
type segment struct {
	srcMAC, dstMAC   net.HardwareAddr
	srcIP, dstIP     net.IP
	srcPort, dstPort layers.TCPPort
	seq, ack         uint32
	rst, fin, psh    bool
	payload          []byte
}

func forgeTCP(s segment) ([]byte, error) {
	oip := ipv4(s.srcIP, s.dstIP, layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: s.srcPort, DstPort: s.dstPort, Seq: s.seq, Ack: s.ack,
		ACK: true, RST: s.rst, FIN: s.fin, PSH: s.psh, Window: 502}
	if s.rst {
		tcp.Window = 0
	}
	if err := tcp.SetNetworkLayerForChecksum(oip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, serializeOpts,
		&layers.Ethernet{SrcMAC: s.srcMAC, DstMAC: s.dstMAC, EthernetType: layers.EthernetTypeIPv4},
		oip, tcp, gopacket.Payload(s.payload))
	return buf.Bytes(), err
}

// maxSegment is the payload size of injected data segments.
const maxSegment = 1400

// forgeResponse splits an HTTP response into segments from the server,
// the last one closing the stream (FIN).
func forgeResponse(base segment, response []byte) ([][]byte, error) {
	var frames [][]byte
	for off := 0; off < len(response); off += maxSegment {
		s := base
		s.payload = response[off:min(off+maxSegment, len(response))]
		s.seq = base.seq + uint32(off)
		s.psh = true
		s.fin = off+maxSegment >= len(response)
		f, err := forgeTCP(s)
		if err != nil {
			return nil, err
		}
		frames = append(frames, f)
	}
	return frames, nil
}
