package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sonde-project/sonde/analysis"
)

const verdictHelp = `Usage: analysis verdict [--fingerprints DIR] [FILE.jsonl|FILE.json]...

Reads OONI-format measurements and writes one verdict per measurement, as one
JSON object per line, to standard output. With no FILE (or with "-") it reads
standard input.

Accepted input: JSON Lines (one measurement per line, as sonde's probe writes
them), a file holding one measurement (as OONI's API or S3 buckets give them),
and OONI API measurement_meta answers downloaded with full=true.

Each verdict has measurement_uid (or report_id), input, test_name, blocking
(false, a method such as "dns", "tcp_ip", "tls", "http-failure", "http-diff",
"quic", or null when it cannot be decided), accessible, confidence
("confirmed": a known blockpage or censor DNS answer; "anomaly": differs from
the uncensored control; "ok"; "failure": the test itself broke), status
("ok", "blocked", "down", "unknown"), evidence and a plain-language
explanation.

A record that cannot be read is reported on standard error as FILE:LINE and
skipped; the exit status is then 1. Options:
`

func runVerdict(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verdict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fpDir := fs.String("fingerprints", "", "use the blocking fingerprints in `DIR` (fingerprints_dns.csv, fingerprints_http.csv) instead of the built-in copy")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), verdictHelp)
		fs.PrintDefaults()
	}
	if ok, code := parseFlags(fs, args, stdout); !ok {
		return code
	}
	a, err := analysis.New(analysis.Config{FingerprintsDir: *fpDir})
	if err != nil {
		fmt.Fprintf(stderr, "analysis verdict: cannot load the fingerprints: %v\n", err)
		return 1
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriterSize(stdout, 256<<10)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	bad := 0
	for _, name := range files {
		if ctx.Err() != nil {
			break
		}
		n, err := verdictFile(ctx, a, name, stdin, enc, stderr)
		bad += n
		if err != nil {
			fmt.Fprintf(stderr, "analysis verdict: %v\n", err)
			bad++
			if isWriteError(err) {
				break
			}
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "analysis verdict: writing the verdicts: %v\n", err)
		return 1
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "analysis verdict: interrupted")
		return 130
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "analysis verdict: %d records could not be read (see above)\n", bad)
		return 1
	}
	return 0
}

type writeError struct{ error }

func isWriteError(err error) bool {
	var w writeError
	return errors.As(err, &w)
}

// verdictFile writes the verdicts of one file and returns how many of its
// records were bad. A returned error means the file could not be read on.
func verdictFile(ctx context.Context, a *analysis.Analyzer, name string, stdin io.Reader, enc *json.Encoder, stderr io.Writer) (int, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		r = f
	} else {
		name = "<stdin>"
	}
	rd := analysis.NewReader(r, name)
	bad := 0
	for ctx.Err() == nil {
		m, _, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return bad, nil
		}
		var rec *analysis.RecordError
		if errors.As(err, &rec) {
			fmt.Fprintln(stderr, rec.Error())
			bad++
			continue
		}
		if err != nil {
			return bad, err
		}
		if err := enc.Encode(a.Analyze(m)); err != nil {
			return bad, writeError{fmt.Errorf("writing the verdicts: %w", err)}
		}
	}
	return bad, nil
}
