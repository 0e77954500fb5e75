// Package upload sends measurements to the collector from a queue that
// survives restarts.
//
// # Design
//
// The queue is a directory: one file per pending measurement, named by
// the SHA-256 of its bytes, written through a synced temporary file and a
// rename. Its identity is its content, as for the collector, which
// dedupes by content: the same measurement queued twice is one file.
//
// Nothing is resent once acknowledged. An acknowledgement is first
// appended (and synced) to acked.log, then the pending file is removed;
// a crash between the two leaves a file that the next Open removes. The
// only window for a duplicate is an acknowledgement lost on the way (the
// connection cut after the collector stored the measurement): the probe
// cannot know, sends again, and the collector answers "duplicate". A
// measurement the collector refuses moves to rejected/ with the reason: it
// is not retried and not lost.
//
// Retries back off exponentially with full jitter; Drain gives up after a
// few failures in a row and leaves the queue for later (`probe upload`).
// Uploads use sonde's batch path and fall back to OONI's one-by-one
// report path when the collector lacks it.
package upload
