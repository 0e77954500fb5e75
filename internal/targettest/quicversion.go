package targettest

import "encoding/binary"

// DraftQUICVersion is a QUIC version no current client speaks (draft-29).
const DraftQUICVersion = 0xff00001d

// NewQUICVersionNegotiator starts a UDP server that answers every QUIC
// Initial with a Version Negotiation packet (RFC 9000 §17.2.1) offering
// only versions: with versions a client does not speak, its handshake
// fails with quic_incompatible_version. It returns the address
// ("127.0.0.1:PORT") and closes at the end of the test.
func NewQUICVersionNegotiator(tb T, versions ...uint32) string {
	tb.Helper()
	return serveUDP(tb, "QUIC version negotiator", func(p []byte) []byte { return VersionNegotiation(p, versions) })
}

// VersionNegotiation returns the Version Negotiation packet answering the
// long-header packet p, or nil when p is not one (short header, too
// short, connection ids longer than 255 bytes would not fit).
func VersionNegotiation(p []byte, versions []uint32) []byte {
	// byte0, version (4), dcid len + dcid, scid len + scid.
	if len(p) < 7 || p[0]&0x80 == 0 {
		return nil
	}
	i := 5
	dcidLen := int(p[i])
	if i+1+dcidLen >= len(p) {
		return nil
	}
	dcid := p[i+1 : i+1+dcidLen]
	i += 1 + dcidLen
	scidLen := int(p[i])
	if i+1+scidLen > len(p) {
		return nil
	}
	scid := p[i+1 : i+1+scidLen]
	out := []byte{0x80 | 0x40, 0, 0, 0, 0}
	out = append(out, byte(len(scid)))
	out = append(out, scid...) // their source is our destination
	out = append(out, byte(len(dcid)))
	out = append(out, dcid...)
	for _, v := range versions {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	return out
}
