// Package analysis turns OONI-format measurements, from sonde's probe or
// from OONI's, into verdicts: for each measurement and target, whether it
// was blocked, how (dns, tcp_ip, tls, http-failure, http-diff, quic), with
// what confidence (confirmed, anomaly, ok, failure), on what evidence, and
// one plain sentence for policy staff. The record is internal/verdict's
// Verdict.
//
// [Analyze] (or [Analyzer.Analyze] with fingerprints from a directory) is
// what the collector's loader calls for every measurement it ingests, and
// what `analysis verdict` prints. [NewReader] reads JSON Lines, one
// measurement per file, and the OONI API's measurement_meta answers.
//
// # Design
//
// One rule per test, in one map (registry.go). OONI's tests (whatsapp,
// telegram, signal, facebook_messenger, tor, vanilla_tor, torsf, psiphon,
// riseupvpn, openvpn, meek, http_header_field_manipulation,
// http_invalid_request_line, http_requests, dash, ndt, browser_web,
// stunreachability, …) follow OONI's published scoring (the fastpath,
// ooni/backend fastpath/core.py) so that sonde agrees with OONI on OONI's
// data; sonde adds evidence and explanations. Tests it does not know are
// analysed from their network steps when they have any, and otherwise get
// status unknown with confidence failure, as OONI's fastpath does.
//
// web_connectivity is sonde's own comparison with the control, layer by
// layer: fingerprints first (a known blockpage or censor DNS answer is
// "confirmed" when OONI's rule says so: the fingerprint is known in the
// probe's country or belongs to a national or ISP filter), then injected
// DNS answers (a late, different reply), then DNS (an NXDOMAIN-hijacking
// advertising address is "down", not censorship; a private address for a
// public name is an anomaly; different addresses count as the site's when
// they share the control's network, were validated over TLS, or the probe
// judged them consistent: content delivery networks), then TCP, TLS, QUIC,
// and the HTTP answer (OONI's rule: same status, and similar body length,
// uncommon headers or title). A step that failed for the control too means
// the site is down: status down, confidence ok. The probe's own keys
// (blocking, body_length_match, …) are used only where the archived data
// cannot tell (a truncated body; the one ambiguous control failure, see
// downOrUnknown).
//
// The generic step-based analysis (steps.go, layers.go) serves sonde's
// dns, tcpconnect, tls, http and quic tests: fingerprints, injection,
// private addresses, then the first layer where every attempt failed.
// Without a control, such a failure is an anomaly and the explanation says
// the site may also be down; an error the probe could not classify
// (unknown_failure) means the test broke.
//
// Verdicts are deterministic (no map order leaks into evidence) and
// Analyze never panics: a panic in a rule becomes an unknown verdict
// naming the internal error. Test keys are read leniently (keys.go): a
// field of an unexpected type counts as absent, so one odd field from an
// old probe does not hide the rest.
//
// Fingerprints are matched in one pass over each body (bodymatch.go): the
// ~1,300 literal body patterns are indexed by their first four bytes
// behind a 64 Ki-bit filter; regexps run only when a literal they require
// occurs. Rules change with [Version], stored in every verdict, so that
// `analysis reprocess` can recompute old ones.
package analysis
