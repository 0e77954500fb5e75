// Package spool is the collector's durable queue between the HTTP answer
// and ClickHouse: append-only segment files, fsync'd before an upload is
// acknowledged, read by the loader in batches from a checkpoint.
//
// # Design
//
// Records are appended to numbered segment files (0000000000000001.seg,
// …) as [length uint32][crc32c uint32][payload]. One goroutine owns the
// file: [Spool.Append] hands it the records and waits; the goroutine takes
// every append that is waiting, writes them with one write and makes them
// durable with one fsync (group commit), then answers them all. Many
// concurrent uploads cost one fsync, not one each.
//
// An append that fails (disk full, I/O error) is answered with the error
// and the segment is truncated back to its last durable end, so a failed
// write never leaves half a record behind; if even that fails the writer
// moves on to a new segment. Records that were never acknowledged may
// survive such a failure; the loader's deduplication makes that harmless.
//
// On open, every segment is scanned and ends at its first record that does
// not check out (a torn tail after a crash), and new records go to a new
// segment. The reader never reads past what has been made durable.
//
// The checkpoint file says how far the loader got (segment, offset). It
// is rewritten in place after each batch is in ClickHouse, alternating
// between two checksummed slots, so it needs no new disk space (the loader
// must be able to free a full disk) and a torn write leaves the previous
// checkpoint; segments before it are then deleted. A crash
// between the insert and the checkpoint replays that batch: the loader
// must skip what is already stored.
package spool
