// Package collector is the service probes upload to: check-in, OONI's
// report protocol, sonde's batch submit, health and metrics, and the
// operator's admin API. Every measurement it acknowledges is in its spool,
// fsync'd, and reaches ClickHouse through the loader exactly once.
//
// # Design
//
// The path of an upload is: refuse what a proxy could frame differently
// (Transfer-Encoding, HTTP/1.0 bodies) and unclean paths → authenticate (a
// per-probe token, kept only as its SHA-256; anonymous uploads only when
// the operator allows them; wrong tokens cost the address from a small
// budget) → rate-limit (token buckets per probe and per client address;
// the address is kept only as a salted hash) → read the body, before any
// upload slot is taken, under a size limit, a minimum rate and a budget of
// bodies in memory → split the envelope without decoding the measurements
// → take an upload slot → for each measurement, one pass of
// internal/canonjson that validates the JSON strictly (UTF-8, depth,
// duplicate keys, numbers), scrubs every key and string of the uploader's
// address and of any probe_ip it claims (base64 blobs included), sets
// probe_ip to 127.0.0.1 and writes the canonical form (keys sorted,
// numbers as sent) → check the envelope (known test, country, network,
// timestamps neither in the future nor absurdly old) → measurement_uid
// from a SHA-256 of the canonical form, in OONI's layout → deduplicate
// against recent uids → one group-committed spool append for the whole
// request → answer.
//
// The one-pass door replaced decode into map[string]any, a scrubbing walk
// and encode, with byte-identical output (uids did not change): it is most
// of why a collector keeps up with its probes. The body is read before an
// upload slot is taken so that slow clients hold a connection, not a slot.
//
// The uid depends only on the scrubbed content, so a re-upload gets the
// same uid: recent ones are answered "duplicate" without spooling, older
// ones are spooled again and skipped by the loader, which never stores a
// uid twice. Reports are not kept: a report id carries an HMAC of itself
// under the report key, so collectors behind a load balancer share nothing
// but that key and ClickHouse, and nobody can invent a report id.
//
// A full spool or disk answers 507 and nothing of that request is
// acknowledged; a client error answers 4xx with a reason in
// {"error": "..."}. Every answer carries security headers. Logs never
// contain tokens or addresses. SECURITY.md, at the repository's root, maps
// each threat to its defence and its test.
//
// The binary (cmd/collector) plugs in the analysis (verdicts and the steps
// the loader stores), the test lists (check-in targets) and the control
// helper through [Deps].
package collector
