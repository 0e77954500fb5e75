// Package runner runs the probe's network tests over a list of targets
// and writes one OONI measurement per line to a local JSONL file.
//
// A run is targets × tests, measured at most Config.Parallel at a time.
// Each measurement gets the step deadline (nettest.Env.StepTimeout) and an
// overall deadline; its result is wrapped in the OONI envelope, scrubbed of
// the probe's addresses, checked for leaks, appended to the results file
// and synced, and only then handed on (to the upload queue) and counted in
// the summary.
//
// # Design
//
// The results file is the run's memory. A re-run with the same file reads
// which (test_name, input) pairs it holds and skips them, so an
// interrupted run continues where it stopped, and a crash costs at most
// the measurements in flight. Lines are appended in small groups, one
// write and one fsync per group; a group cut by a crash leaves a last line
// without its newline, which the next run cuts off before appending, so
// the file is always one complete JSON object per line.
//
// Stopping (Ctrl-C) is two-stage: the run's context stops the hand-out of
// work, while measurements in progress keep their own context (detached
// from the run's, bounded by their deadline) and are written when they
// finish; Config.Abort cancels them too.
//
// One goroutine writes, tallies and draws progress, so the summary needs
// no lock; workers only measure. A test that panics or returns an error is
// counted as "could not measure" and not written, so a re-run tries it
// again. A measurement in which scrubbing left an address of the probe is
// never written.
package runner
