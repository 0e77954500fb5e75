// Package loader moves measurements from the spool into ClickHouse in
// batches: the raw measurement, one row per network step, and the
// analysis's verdict.
//
// # Design
//
// The loader reads a batch from the spool, extracts every row in Go
// (internal/warehouse), runs the injected analysis once per measurement,
// then writes the three tables and only then commits the spool
// checkpoint. Before writing each table it asks ClickHouse which of the
// batch's measurement_uids that table already holds and writes only the
// others. That one rule gives exactly-once storage in every case: a batch
// replayed after a crash between the insert and the checkpoint, a batch
// retried after an insert that failed halfway through the tables, and a
// measurement uploaded again long after the first copy was loaded. A
// measurement's rows in a table are one batch in one partition, so they
// are either all there or not at all.
//
// Reading and preparing the next batch (decoding, extraction, analysis:
// CPU) runs in one goroutine while the previous batch is written to
// ClickHouse in another; the writer alone commits checkpoints, in spool
// order, so a checkpoint never passes a batch that is not stored.
//
// When ClickHouse is down the loader retries the same batch with
// exponential backoff and the spool grows; nothing is dropped. A record
// that cannot be decoded (which validation at the door makes impossible
// short of disk corruption) is counted, logged without its content, and
// skipped, so it cannot block everything behind it.
package loader
