package targettest

import (
	"bytes"
	"testing"
)

// FuzzVersionNegotiation: whatever a client sends, the answer is nil or
// a well-formed Version Negotiation packet echoing its connection ids.
func FuzzVersionNegotiation(f *testing.F) {
	f.Add([]byte{0xc0, 0, 0, 0, 1, 4, 1, 2, 3, 4, 2, 5, 6, 0, 0})
	f.Add([]byte{0x40, 1, 2})
	f.Fuzz(func(t *testing.T, p []byte) {
		vn := VersionNegotiation(p, []uint32{DraftQUICVersion})
		if vn == nil {
			return
		}
		if vn[0]&0x80 == 0 || !bytes.Equal(vn[1:5], []byte{0, 0, 0, 0}) || len(vn) < 11 {
			t.Fatalf("malformed answer % x", vn)
		}
	})
}
