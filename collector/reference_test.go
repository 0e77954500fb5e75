package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/sonde-project/sonde/internal/measurement"
	"github.com/sonde-project/sonde/internal/scrub"
)

// referencePrepare is how the collector prepared a measurement before it
// used internal/canonjson: decode into map[string]any, scrub the values,
// encode them with encoding/json. The tests hold the one-pass version to
// it byte for byte, so that uids stay what they were.
func referencePrepare(raw []byte, uploader netip.Addr, reportID string) (uid string, doc []byte, err error) {
	m, err := measurement.Parse(raw)
	if err != nil {
		return "", nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return "", nil, fmt.Errorf("decoding: %w", err)
	}
	addrs := []netip.Addr{uploader}
	if claimed, err := netip.ParseAddr(m.ProbeIP); err == nil {
		addrs = append(addrs, claimed)
	}
	delete(v, "measurement_uid")
	v["probe_ip"] = measurement.ScrubbedIP
	if reportID != "" {
		v["report_id"] = reportID
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(scrub.New(addrs...).Value(v)); err != nil {
		return "", nil, err
	}
	canon := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	uid = MeasurementUID(m, canon)
	final := append([]byte(`{"measurement_uid":"`+uid+`"`), ',')
	if len(canon) == 2 {
		final = final[:len(final)-1]
	}
	return uid, append(final, canon[1:]...), nil
}
