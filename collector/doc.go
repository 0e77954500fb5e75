// Package collector is the service probes upload to: check-in, OONI's
// report protocol, sonde's batch submit, health and metrics. Every
// measurement it acknowledges is in its spool, fsync'd, and reaches
// ClickHouse through the loader exactly once.
//
// # Design
//
// The path of an upload is: authenticate (a per-probe token, kept only as
// its SHA-256; anonymous uploads only when the operator allows them) →
// rate-limit (token buckets per probe and per client address; the address
// is kept only as a salted hash) → read the body under a size limit →
// validate (JSON shape and depth, known test, country, network,
// timestamps neither in the future nor absurdly old) → scrub (the
// uploader's connection address and any probe_ip the probe left, in
// every field and base64 blob; probe_ip becomes 127.0.0.1) → canonical
// form (keys sorted, numbers as sent) → measurement_uid from a SHA-256 of
// that form, in OONI's layout → deduplicate against recent uids → one
// group-committed spool append for the whole request → answer.
//
// The uid depends only on the scrubbed content, so a re-upload gets the
// same uid: recent ones are answered "duplicate" without spooling, older
// ones are spooled again and skipped by the loader, which never stores a
// uid twice. Reports are not kept: a report id is checked by its shape,
// so collectors behind a load balancer share nothing but ClickHouse.
//
// A full spool or disk answers 507 and nothing of that request is
// acknowledged; a client error answers 4xx with a reason in
// {"error": "..."}. Logs never contain tokens or addresses.
//
// The binary (cmd/collector) plugs in the analysis (verdicts), the test
// lists (check-in targets) and the control helper through [Deps].
package collector
