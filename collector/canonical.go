package collector

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/sonde-project/sonde/collector/loader"
	"github.com/sonde-project/sonde/internal/canonjson"
	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
)

// accepted is a measurement ready for the spool.
type accepted struct {
	uid    string
	record []byte // the spool record: received time, then the document
}

// scrubbers builds, once per request, the scrubber of the uploader's
// address, and one for a measurement whose probe_ip names another.
type scrubbers struct {
	uploader netip.Addr
	base     *scrub.Scrubber
}

func (c *scrubbers) forClaim(claimed string) *scrub.Scrubber {
	if c.base == nil {
		c.base = scrub.New(c.uploader)
	}
	a, err := netip.ParseAddr(claimed)
	if err != nil || a.Unmap() == c.uploader.Unmap() {
		return c.base
	}
	return scrub.New(c.uploader, a)
}

var canonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

var scrubbedIP = []byte(`"` + measurement.ScrubbedIP + `"`)

// accept validates raw, scrubs it of the uploader's address (and of the
// probe_ip it claims, if the probe forgot to scrub it), sets probe_ip to
// 127.0.0.1 and report_id to the URL's (when given), writes it in
// canonical form (internal/canonjson: keys sorted, numbers as sent) and
// gives it its uid, all in one pass over the bytes.
func (v *validator) accept(raw []byte, sc *scrubbers, reportID string, received time.Time) (*accepted, *Rejection) {
	if int64(len(raw)) > v.maxBytes {
		return nil, reject(413, "measurement is %d bytes; the limit is %d", len(raw), v.maxBytes)
	}
	claimedIP, claimedReport, odd := claims(raw)
	if odd != "" {
		return nil, reject(400, "key %q spells a measurement field's name another way (case or escapes); use the name as it is", truncate(odd, 64))
	}
	scr := sc.forClaim(claimedIP)
	set := []canonjson.Member{{Key: "measurement_uid"}, {Key: "probe_ip", Value: scrubbedIP}}
	if reportID != "" {
		set = append(set, canonjson.Member{Key: "report_id", Value: canonjson.AppendString(nil, scr.StringValue([]byte(reportID)))})
	}
	bufp := canonBufs.Get().(*[]byte)
	defer canonBufs.Put(bufp)
	// The envelope is decoded from the members as Append writes them:
	// test_keys, most of the bytes, is not scanned a second time.
	var env measurement.EnvelopeDecoder
	canon, err := canonjson.Append((*bufp)[:0], raw, &canonjson.Options{MaxDepth: maxDepth, Key: scr.Key, String: scr.StringValue, Set: set,
		TopLevel: env.Member})
	if cap(canon) <= 8<<20 {
		*bufp = canon[:0]
	}
	if err != nil {
		return nil, reject(400, "measurement is not valid JSON: %v", err)
	}
	if canon[0] != '{' {
		return nil, reject(400, "measurement is not a JSON object")
	}
	m, merr := env.Measurement()
	if merr != nil { // ParseEnvelope decides, and says why
		if m, err = measurement.ParseEnvelope(canon); err != nil {
			return nil, reject(400, "%v", err)
		}
	}
	if rej := v.checkFields(m); rej != nil {
		return nil, rej
	}
	switch {
	case claimedReport != "" && reportID != "" && claimedReport != reportID:
		return nil, reject(400, "report_id %q in the measurement is not the report %q it is submitted to", truncate(claimedReport, 80), reportID)
	case m.ReportID == "":
		return nil, reject(400, "missing report_id")
	}
	// probe_cc, test_name and measurement_start_time are validated
	// (letters, a known name, a timestamp): scrubbing cannot have changed
	// them.
	uid := MeasurementUID(m, canon)
	return &accepted{uid: uid, record: record(received, uid, canon)}, nil
}

// claims returns the probe_ip and report_id a measurement states at its
// top level, before anything is rewritten ("" when absent or not strings),
// and a top-level key that is not an envelope field's name but would be
// read as one (oddKey). raw is not validated yet: a document Members
// cannot split is refused afterwards by canonjson.
func claims(raw []byte) (probeIP, reportID, odd string) {
	canonjson.Members(raw, func(k, v []byte) error {
		switch string(k) {
		case "probe_ip":
			probeIP = jsonString(v)
		case "report_id":
			reportID = jsonString(v)
		}
		if odd == "" {
			odd = oddKey(k)
		}
		return nil
	})
	return probeIP, reportID, odd
}

// jsonString is the JSON string v, or "" when v is not one.
func jsonString(v []byte) string {
	s, err := measurement.UnquoteJSON(v)
	if err != nil {
		return ""
	}
	return s
}

// record is the spool record of a canonical document: the time it was
// received, then the document with its uid spliced in as the first key
// (the rest stays canonical).
func record(received time.Time, uid string, canon []byte) []byte {
	const head = `{"measurement_uid":"`
	rec := loader.AppendRecordHeader(make([]byte, 0, 8+len(head)+len(uid)+2+len(canon)), received)
	rec = append(append(append(rec, head...), uid...), '"')
	if len(canon) > 2 {
		rec = append(rec, ',')
	}
	return append(rec, canon[1:]...)
}

// MeasurementUID returns the uid of a measurement whose canonical JSON
// (without measurement_uid) is canon, in OONI's layout:
// YYYYMMDDhhmmss.ffffff_CC_testname_<16 hex>. The time is the
// measurement's start, the fraction and the hex come from a SHA-256 of
// canon, so the same measurement always gets the same uid.
func MeasurementUID(m *measurement.Measurement, canon []byte) string {
	sum := sha256.Sum256(canon)
	start, _ := m.StartTime()
	frac := binary.BigEndian.Uint32(sum[:4]) % 1_000_000
	b := make([]byte, 0, 64)
	b = start.UTC().AppendFormat(b, "20060102150405")
	b = append(b, '.')
	b = append(b, fmt.Sprintf("%06d", frac)...)
	b = append(append(append(b, '_'), m.ProbeCC...), '_')
	b = append(b, strings.ReplaceAll(m.TestName, "_", "")...)
	b = append(b, '_')
	return string(hex.AppendEncode(b, sum[4:12]))
}
