// Package reprocess recomputes the verdicts stored in ClickHouse with the
// current rules of the analysis: what `analysis reprocess` runs when the
// rules (analysis.Version) or the fingerprints change.
//
// It reads the stored measurements (their raw JSON) in bounded batches,
// computes each one's verdict with an [analysis.Analyzer], writes the
// verdicts through the warehouse's writer (the verdicts table keeps the
// newest verdict of each measurement), and rebuilds the daily counts
// (verdict_daily) of every month it wrote to with aggregate's Rebuild.
//
// # Design
//
// Work is cut by time: the days that hold measurements are listed first
// (one small GROUP BY), then read a window of days at a time, never across
// a month, so every query and every insert stays inside one partition. A
// window is streamed with max_block_size set to the batch size: the driver
// holds at most a few blocks, so memory is bounded by the batch size
// whatever the size of the table.
//
// By default only measurements without a verdict of the current rules are
// read: those whose verdicts all have an analysis_version below
// analysis.Version (or that have none). The server filters them with
// NOT IN over the window's up-to-date verdicts. With All every measurement
// is read, and a recomputed verdict identical to the stored one is not
// written again, so a second run writes nothing: reprocessing is
// idempotent. A new verdict's analyzed_time is after the stored one's, so
// the ReplacingMergeTree (and every argMax(…, analyzed_time)) keeps it.
//
// The materialized view behind verdict_daily counts every verdict it
// sees, so a measurement analysed twice is counted twice until its month
// is rebuilt from verdicts FINAL. Two things keep the counts right when a
// run stops half-way. On Ctrl-C (the context is cancelled) the batch in
// flight is written, and the months written so far are rebuilt before Run
// returns. A run killed outright leaves a month over-counted; every run
// therefore compares, month by month over its range, the total of
// verdict_daily with the number of measurements that have a verdict
// (verdicts FINAL) and rebuilds the months where they differ. A re-run
// thus finishes any job, and a run with nothing to recompute changes
// nothing.
//
// A dry run reads and analyses the same measurements and counts what
// would change, old outcome → new outcome, but writes nothing.
package reprocess
