package measurement

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/sonde-project/sonde/internal/canonjson"
)

// ParseEnvelope is Parse for a document already known to be valid JSON
// (the collector's spool, a document internal/canonjson wrote), with the
// same result, faster: the envelope's fields go through the fast decoder
// of fastjson.go and test_keys, most of a measurement, is only delimited
// (TestKeys aliases b) instead of being scanned twice by encoding/json.
// Where the fast decoder gives up (a key in another case, given twice or
// escaped, a field of the wrong type) Parse decides. For a document that
// is not valid JSON the result is unspecified: use Parse for untrusted
// input.
func ParseEnvelope(b []byte) (*Measurement, error) {
	var m Measurement
	c := cursor{b: b}
	if decodeObject(&c, &m, envelopeNames) != nil || b[0] != '{' || len(bytes.TrimLeft(b[c.i:], " \t\r\n")) > 0 {
		return Parse(b)
	}
	if err := m.checkEnvelope(); err != nil {
		return nil, err
	}
	return &m, nil
}

// EnvelopeDecoder decodes a measurement from its top-level members,
// handed over one at a time by a caller that walks them anyway
// (internal/canonjson's Options.TopLevel and ValidObject), so that the
// document is not scanned again. Each member is decoded as ParseEnvelope
// would: key decoded, value valid JSON (TestKeys aliases it). Where
// ParseEnvelope would defer to Parse (a field of the wrong type, a key
// that is escaped or matches a field only in another case, a field given
// twice) Measurement returns an error: the caller then asks ParseEnvelope
// or Parse about the whole document, which decide.
type EnvelopeDecoder struct {
	m    Measurement
	seen uint64 // the fields set so far
	err  error
}

// Member decodes one member. After the first it refuses, it ignores the
// rest.
func (d *EnvelopeDecoder) Member(key, value []byte) {
	if d.err != nil {
		return
	}
	c := cursor{b: value, one: true} // on the stack: set is not called through fastObject
	f, err := d.m.set(key, &c)
	if err == nil {
		_, err = checkKey(envelopeNames, key, f, &d.seen)
	}
	d.err = err
}

// Measurement returns the measurement once every member has been handed
// over, or an error: a member refused, or what ParseEnvelope would
// refuse (no test_name, a measurement_start_time that is not a time).
func (d *EnvelopeDecoder) Measurement() (*Measurement, error) {
	if d.err == nil {
		d.err = d.m.checkEnvelope()
	}
	if d.err != nil {
		return nil, d.err
	}
	return &d.m, nil
}

// checkEnvelope reports what makes m something ParseEnvelope refuses:
// no test_name, or a measurement_start_time that is not a time.
func (m *Measurement) checkEnvelope() error {
	if m.TestName == "" {
		return errors.New("measurement: no test_name")
	}
	if _, err := m.StartTime(); err != nil {
		return fmt.Errorf("measurement: measurement_start_time: %w", err)
	}
	return nil
}

// ParseAliasing is Parse, with the same result, faster on what is valid
// JSON (most documents): canonjson.ValidObject checks it and hands over
// its top-level members, which an EnvelopeDecoder decodes, in one pass
// over the bytes; anything else goes to Parse. The measurement's TestKeys
// may alias b: b must not change while the measurement is in use.
func ParseAliasing(b []byte) (*Measurement, error) {
	var d EnvelopeDecoder
	if !canonjson.ValidObject(b, d.Member) {
		return Parse(b)
	}
	m, err := d.Measurement()
	if err != nil {
		return Parse(b) // not an object, or a member refused: Parse decides, and says why
	}
	m.validKeys = m.TestKeys // a part of b, which ValidObject checked
	return m, nil
}

var envelopeNames = []string{"annotations", "data_format_version", "input", "measurement_start_time", "measurement_uid",
	"probe_asn", "probe_cc", "probe_ip", "probe_network_name", "report_id", "resolver_asn", "resolver_ip",
	"resolver_network_name", "software_name", "software_version", "test_helpers", "test_keys", "test_name",
	"test_runtime", "test_start_time", "test_version"}

func (m *Measurement) set(k []byte, c *cursor) (int, error) {
	switch string(k) {
	case "annotations":
		// A copy of the cursor goes to decodeStringMap, whose callback
		// keeps it: c itself stays on its caller's stack (SetMember's).
		cc := *c
		err := decodeStringMap(&cc, &m.Annotations)
		c.i = cc.i
		return 0, err
	case "data_format_version":
		return 1, decodeString(c.value(), &m.DataFormatVersion)
	case "input":
		return 2, m.Input.UnmarshalJSON(c.value())
	case "measurement_start_time":
		return 3, decodeString(c.value(), &m.MeasurementStartTime)
	case "measurement_uid":
		return 4, decodeString(c.value(), &m.MeasurementUID)
	case "probe_asn":
		return 5, decodeString(c.value(), &m.ProbeASN)
	case "probe_cc":
		return 6, decodeString(c.value(), &m.ProbeCC)
	case "probe_ip":
		return 7, decodeString(c.value(), &m.ProbeIP)
	case "probe_network_name":
		return 8, decodeString(c.value(), &m.ProbeNetworkName)
	case "report_id":
		return 9, decodeString(c.value(), &m.ReportID)
	case "resolver_asn":
		return 10, decodeString(c.value(), &m.ResolverASN)
	case "resolver_ip":
		return 11, decodeString(c.value(), &m.ResolverIP)
	case "resolver_network_name":
		return 12, decodeString(c.value(), &m.ResolverNetworkName)
	case "software_name":
		return 13, decodeString(c.value(), &m.SoftwareName)
	case "software_version":
		return 14, decodeString(c.value(), &m.SoftwareVersion)
	case "test_helpers":
		m.TestHelpers = nil
		cc := *c // as for annotations: decodeMap's callback keeps it
		err := decodeMap(&cc, &m.TestHelpers, decodeAny)
		c.i = cc.i
		return 15, err
	case "test_keys":
		m.TestKeys = c.value()
		return 16, nil
	case "test_name":
		return 17, decodeString(c.value(), &m.TestName)
	case "test_runtime":
		return 18, decodeFloat(c.value(), &m.TestRuntime)
	case "test_start_time":
		return 19, decodeString(c.value(), &m.TestStartTime)
	case "test_version":
		return 20, decodeString(c.value(), &m.TestVersion)
	}
	return -1, nil
}
