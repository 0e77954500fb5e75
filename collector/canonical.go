package collector

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
)

// prepared is a measurement ready for the spool.
type prepared struct {
	uid string
	doc []byte // canonical, scrubbed, with measurement_uid
}

// prepare scrubs raw of the uploader's address (and of the probe_ip the
// probe claimed, if it forgot to scrub it), sets probe_ip to 127.0.0.1,
// fills report_id when the URL gave one, writes it in canonical form
// (keys sorted, numbers as sent) and gives it its uid. m is raw parsed.
func prepare(raw []byte, m *measurement.Measurement, uploader netip.Addr, reportID string) (*prepared, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	addrs := []netip.Addr{uploader}
	if claimed, err := netip.ParseAddr(m.ProbeIP); err == nil {
		addrs = append(addrs, claimed)
	}
	delete(doc, "measurement_uid")
	doc["probe_ip"] = measurement.ScrubbedIP
	if reportID != "" {
		doc["report_id"] = reportID
	}
	canon, err := encodeCanonical(scrub.New(addrs...).Value(doc))
	if err != nil {
		return nil, err
	}
	// probe_cc, test_name and measurement_start_time were validated
	// (letters, a known name, a timestamp): scrubbing cannot change them,
	// so m's are the stored ones.
	uid := MeasurementUID(m, canon)
	// Splice the uid in as the first key: the rest stays canonical.
	final := make([]byte, 0, len(canon)+len(uid)+24)
	final = append(final, `{"measurement_uid":"`...)
	final = append(final, uid...)
	final = append(final, '"')
	if rest := bytes.TrimSpace(canon[1:]); len(rest) > 0 && rest[0] != '}' {
		final = append(final, ',')
	}
	final = append(final, canon[1:]...)
	return &prepared{uid: uid, doc: final}, nil
}

func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
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
	return fmt.Sprintf("%s.%06d_%s_%s_%s", start.UTC().Format("20060102150405"), frac,
		m.ProbeCC, strings.ReplaceAll(m.TestName, "_", ""), hex.EncodeToString(sum[4:12]))
}
