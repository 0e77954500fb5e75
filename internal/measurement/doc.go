// Package measurement is the OONI data format: the measurement envelope
// (ooni/spec data-formats/df-000-base) and the archival structures that
// network steps are recorded in (df-002-dnst, df-005-tcpconnect,
// df-006-tlshandshake, df-001-httpt, df-008-netevents).
//
// Everything the probe writes, the collector stores and the analysis reads
// goes through these types, so that OONI's measurements run through this
// project unchanged and this project's measurements run through OONI's tools.
//
// # Design
//
// Encoding follows OONI's probe-cli byte for byte where it matters to
// consumers: failures are a string or null, times relative to the
// measurement start are float seconds, bodies and header values that are not
// valid UTF-8 become {"format":"base64","data":"..."} objects.
//
// Decoding is lenient, because real measurements from a decade of probes are
// not uniform: bodies may be null, base64 may lack padding, header values may
// be binary objects. Decoding never fails on a shape that OONI's own
// pipeline accepts; it fails on JSON that is not a measurement.
//
// The collector decodes every measurement it stores, so ParseEnvelope,
// DecodeSteps and DecodeWebTestKeys use a decoder without reflection
// (fastjson.go) that walks a cursor through the bytes, each byte about
// once however deeply it is nested, and gives exactly what encoding/json
// gives: fuzz tests hold the two together, and on anything unusual (a key
// in another case, given twice or escaped, a value of the wrong type) it
// hands the value to encoding/json. DecodeStepsValid and
// DecodeWebTestKeysValid skip the validation pass, for callers that have
// checked the bytes already.
//
// Test keys are kept as raw JSON in the envelope. Each network test owns the
// shape of its keys; readers decode the parts they understand (see
// [WebTestKeys] for the keys most readers share).
package measurement
