// Command loadgen drives a collector with the uploads of thousands of
// simulated probes and prints what it acknowledged per second and how
// long uploads took:
//
//	loadgen -collector http://127.0.0.1:8080 -probes 2000 -measurements 100000
//
// The collector must take registrations (or run loadgen with -anonymous
// on a collector that allows anonymous uploads) and have rate limits
// loose enough for the load: every probe uploads from this machine's
// address. See collector/loadgen for what the probes do.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/sonde-project/sonde/collector/loadgen"
)

const usage = `loadgen sends realistic measurements to a sonde collector from many
simulated probes, and prints the collector's throughput and latency.

Usage:
  loadgen -collector URL [flags]

Flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stdout)) }

func run(args []string, out io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	collector := fs.String("collector", "", "the collector's base URL (REQUIRED)")
	corpus := fs.String("corpus", "testdata/ooni/backend-fastpath", "folder of the OONI measurements used as templates")
	probes := fs.Int("probes", 2000, "simulated probes, each with its own token")
	total := fs.Int("measurements", 100_000, "measurements to upload")
	concurrency := fs.Int("concurrency", 64, "requests in flight")
	batch := fs.Int("batch", 20, "measurements per batch upload")
	ooni := fs.Float64("ooni-share", 0.25, "share of probes using OONI's report protocol (one measurement per request); 0 for none")
	anonymous := fs.Bool("anonymous", false, "upload without tokens")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *collector == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -collector is required (e.g. -collector http://127.0.0.1:8080)")
		return 2
	}
	c, err := loadgen.LoadCorpus(*corpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err, "(run it from the repository's root, or give -corpus)")
		return 2
	}
	share := *ooni
	if share == 0 {
		share = -1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := loadgen.Run(ctx, loadgen.Config{
		Collector: *collector, Corpus: c, Probes: *probes, Measurements: *total,
		Concurrency: *concurrency, BatchSize: *batch, OONIShare: share, Anonymous: *anonymous,
	})
	if err != nil && res == nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	printResult(out, res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: stopped early:", err)
		return 1
	}
	return 0
}

// printResult writes a Result for people.
func printResult(w io.Writer, r *loadgen.Result) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Fprintf(w, "acknowledged: %d measurements in %.1fs = %.0f/s (%d rejected, %d requests, %d retried)\n",
		r.Acked.Load(), r.Elapsed.Seconds(), r.Rate(), r.Rejected.Load(), r.Requests.Load(), r.Retries.Load())
	fmt.Fprintf(w, "upload latency: p50 %.1f ms, p99 %.1f ms\n", ms(r.Percentile("", 0.5)), ms(r.Percentile("", 0.99)))
	for _, k := range []string{loadgen.KindOONI, loadgen.KindBatch, loadgen.KindNDJSON} {
		if n := r.Count(k); n > 0 {
			fmt.Fprintf(w, "  %-12s %7d requests: p50 %.1f ms, p99 %.1f ms\n", k, n, ms(r.Percentile(k, 0.5)), ms(r.Percentile(k, 0.99)))
		}
	}
}
