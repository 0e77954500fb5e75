// Package loadgen drives a collector with the uploads of thousands of
// simulated probes: each registers and gets its own token, a quarter of
// them speak OONI's report protocol (open a report, submit one
// measurement per request, close it) and the others send sonde's batches
// (as a JSON list or as JSON lines). The measurements are real OONI
// measurements from the repository's testdata, each made unique. It
// counts what the collector acknowledged and times every upload request.
// cmd/loadgen runs it against any collector; the collector's benchmark
// (cmd/collector BenchmarkIngest) runs it against the binary.
//
// # Design
//
// Probes are set up (registered, reports opened) before the clock
// starts: what is timed is the upload traffic alone. Uploads are handed
// out round-robin over the probes, so at any moment many probes (and
// tokens, and rate-limit buckets) are active, as in a real deployment,
// rather than one probe at a time. A request the collector refuses for a
// while (429, 503, 507, 408) or a cut connection is retried with backoff
// and counted; a measurement refused as invalid is counted and not sent
// again. Latency is per upload request, from sending to the answer, and
// reported by kind because a batch of 20 and one OONI submission are not
// the same work.
package loadgen
