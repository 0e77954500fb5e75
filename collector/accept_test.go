package collector

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/sonde-project/sonde/collector/collectortest"
	"github.com/sonde-project/sonde/collector/loader"
)

func testValidator() *validator {
	return &validator{maxBytes: 4 << 20, known: KnownTests(nil), maxAge: 100 * 365 * 24 * time.Hour, maxFuture: time.Hour, now: time.Now}
}

// acceptDoc runs accept and returns the uid and the spooled document.
func acceptDoc(v *validator, raw []byte, uploader netip.Addr, reportID string) (string, []byte, *Rejection) {
	a, rej := v.accept(raw, &scrubbers{uploader: uploader}, reportID, time.Unix(1700000000, 0))
	if rej != nil {
		return "", nil, rej
	}
	_, doc, err := loader.DecodeRecord(a.record)
	if err != nil {
		panic(err)
	}
	return a.uid, doc, nil
}

// TestAcceptMatchesReference: the one-pass door gives every measurement
// of the corpus the document and uid the decode-scrub-encode door gave,
// with addresses planted and without.
func TestAcceptMatchesReference(t *testing.T) {
	corpus := collectortest.Load(t)
	at := time.Now().Add(-time.Hour)
	v := testValidator()
	for i := range 60 {
		raw := corpus.Measurement(i, at)
		uploader := netip.MustParseAddr("203.0.113.7")
		if i%3 == 1 {
			raw = bytes.Replace(raw, []byte(`"probe_ip":"127.0.0.1"`), []byte(`"probe_ip":"198.51.100.9"`), 1)
			raw = bytes.Replace(raw, []byte(`"input":"`), []byte(`"x_seen":"203.0.113.7 198.51.100.9","input":"`), 1)
		}
		if i%3 == 2 {
			uploader = netip.MustParseAddr("2001:db8::7")
		}
		report := ""
		if i%2 == 0 {
			_, report, _ = claims(raw) // submitted to its own report
		}
		wantUID, wantDoc, err := referencePrepare(raw, uploader, report)
		if err != nil {
			t.Fatal(err)
		}
		uid, doc, rej := acceptDoc(v, raw, uploader, report)
		if rej != nil {
			t.Fatalf("measurement %d: %v", i, rej)
		}
		if uid != wantUID || !bytes.Equal(doc, wantDoc) {
			t.Fatalf("measurement %d: uid %s, reference %s\n%.300s\n%.300s", i, uid, wantUID, doc, wantDoc)
		}
		if bytes.Contains(doc, []byte("203.0.113.7")) || bytes.Contains(doc, []byte("198.51.100.9")) {
			t.Fatalf("measurement %d: an address survived", i)
		}
	}
}

// FuzzAccept holds the door to the reference on any input it accepts:
// same document, same uid.
func FuzzAccept(f *testing.F) {
	corpus := collectortest.Load(f)
	at := time.Now().Add(-time.Hour)
	for i := range 4 {
		f.Add(corpus.Measurement(i, at), "203.0.113.7")
	}
	f.Add([]byte(`{"test_name":"dns","Test_Name":"tor","measurement_start_time":"2025-01-01 00:00:00"}`), "::1")
	v := testValidator()
	f.Fuzz(func(t *testing.T, raw []byte, addr string) {
		uploader, err := netip.ParseAddr(addr)
		if err != nil {
			return
		}
		uid, doc, rej := acceptDoc(v, raw, uploader, "")
		if rej != nil {
			if rej.Status < 400 || rej.Status > 499 || rej.Reason == "" {
				t.Fatalf("rejection %d %q", rej.Status, rej.Reason)
			}
			return
		}
		wantUID, wantDoc, err := referencePrepare(raw, uploader, "")
		if err != nil {
			t.Fatalf("accepted what the reference refuses (%v): %q", err, raw)
		}
		if uid != wantUID || !bytes.Equal(doc, wantDoc) {
			t.Fatalf("%q:\naccept    %s %s\nreference %s %s", raw, uid, doc, wantUID, wantDoc)
		}
	})
}

// BenchmarkCheckAndPrepare is the CPU cost of accepting one measurement:
// validation, scrubbing of a public uploader address, canonical form and
// uid, in one pass.
func BenchmarkCheckAndPrepare(b *testing.B) {
	benchDoor(b, func(v *validator, raw []byte, uploader netip.Addr) {
		if _, rej := v.accept(raw, &scrubbers{uploader: uploader}, "", time.Now()); rej != nil {
			b.Fatal(rej)
		}
	})
}

// BenchmarkCheckAndPrepareReference is the same with the door as it was:
// decode, scrub the Go values, encode.
func BenchmarkCheckAndPrepareReference(b *testing.B) {
	benchDoor(b, func(v *validator, raw []byte, uploader netip.Addr) {
		if _, _, err := referencePrepare(raw, uploader, ""); err != nil {
			b.Fatal(err)
		}
	})
}

func benchDoor(b *testing.B, door func(*validator, []byte, netip.Addr)) {
	corpus := collectortest.Load(b)
	at := time.Now().Add(-time.Hour)
	v := testValidator()
	docs := make([][]byte, 64)
	size := 0
	for i := range docs {
		docs[i] = corpus.Measurement(i, at)
		size += len(docs[i])
	}
	uploader := netip.MustParseAddr("203.0.113.7")
	b.SetBytes(int64(size / len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		door(v, docs[i%len(docs)], uploader)
	}
}
